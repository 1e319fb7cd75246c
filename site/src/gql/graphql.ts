/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type HealthPanelQueryVariables = Exact<{ [key: string]: never; }>;


export type HealthPanelQuery = { health: { db: string, databaseKind: string, registryLoaded: boolean, registryVersion: string | null, registryPackageCount: number, registryLastReloadAt: string | null, registryLastReloadError: string | null, authEnabled: boolean, version: string, startedAt: string, uptimeSeconds: number } };


export const HealthPanelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"HealthPanel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"health"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"db"}},{"kind":"Field","name":{"kind":"Name","value":"databaseKind"}},{"kind":"Field","name":{"kind":"Name","value":"registryLoaded"}},{"kind":"Field","name":{"kind":"Name","value":"registryVersion"}},{"kind":"Field","name":{"kind":"Name","value":"registryPackageCount"}},{"kind":"Field","name":{"kind":"Name","value":"registryLastReloadAt"}},{"kind":"Field","name":{"kind":"Name","value":"registryLastReloadError"}},{"kind":"Field","name":{"kind":"Name","value":"authEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"uptimeSeconds"}}]}}]}}]} as unknown as DocumentNode<HealthPanelQuery, HealthPanelQueryVariables>;