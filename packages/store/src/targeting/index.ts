export * from './repository';
