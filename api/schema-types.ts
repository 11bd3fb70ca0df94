/** The HTTP contract's types, generated from openapi.yaml by openapi-typescript (`npm run openapi:types`). */
import type { components } from './generated/openapi.d.ts';

export type Schemas = components['schemas'];
export type APIResourceList = Schemas['APIResourceList'];
export type APIResource = Schemas['APIResource'];
export type APIGroup = Schemas['APIGroup'];
export type APIGroupList = Schemas['APIGroupList'];
export type APIVersions = Schemas['APIVersions'];
export type VersionInfo = Schemas['VersionInfo'];
export type Health = Schemas['Health'];
export type ListMeta = Schemas['ListMeta'];
