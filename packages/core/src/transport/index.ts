export { RUN_SIGNAL, createNodeFetch, defaultFetch, getDefaultNodeFetch, readsRunSignal, type FetchFunction, type NodeFetchOptions } from './node-fetch.js';
