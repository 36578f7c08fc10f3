export { RUN_SIGNAL, createNodeFetch, defaultFetch, getDefaultNodeFetch, readsRunSignal, sdkSignalOptions, type FetchFunction, type NodeFetchOptions } from './node-fetch.js';
