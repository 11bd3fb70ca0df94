// @warden/sdk/node: kubeconfig reading and CA-trusting fetch (see entry.js).
import { load } from './entry.js';

const m = await load('node/index');
export const { readKubeconfig, loadKubeconfig, kubeconfigFiles, tlsFetch } = m;
