export * from './repository';
export { clearTargetingModelCache } from './model-cache';
