// Inlined in the page's <head> (build.mjs), before its module: starts the first render's requests
// (early-requests.ts) as soon as the page is parsed, while the module downloads and compiles.
import { firstRenderUrls, startEarly } from './early-requests.js';
import { readState } from './state.js';

startEarly(firstRenderUrls(readState(location.search)));
