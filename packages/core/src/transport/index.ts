export { createNodeFetch, defaultFetch, getDefaultNodeFetch, type FetchFunction, type NodeFetchOptions } from './node-fetch.js';
