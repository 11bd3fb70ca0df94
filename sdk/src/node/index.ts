/**
 * The SDK's Node-only parts: kubeconfig reading and a fetch that trusts a
 * given CA. `@warden/sdk` loads this lazily, so a browser bundle of the SDK
 * never pulls in node:fs or node:https.
 */
export { readKubeconfig, loadKubeconfig, kubeconfigFiles, type Connection } from './kubeconfig.js';
export { tlsFetch, type TlsOptions } from './tls-fetch.js';
