export {
  loadDemoData,
  DEMO_SOURCE_PREFIX,
  type DemoDataOptions,
  type DemoDataRun,
  type DemoLogger,
} from './load';
export { readDemoManifest, defaultDatasetsDir, type DemoFile, type DemoManifest } from './manifest';
