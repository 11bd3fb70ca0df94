// @warden/sdk for Node: the build, or the sources in a checkout (see entry.js).
import { load } from './entry.js';

const m = await load('index');
export const { Warden, WardenError, kinds, patchContentTypes, ResourceClient, operationMethods } = m;
