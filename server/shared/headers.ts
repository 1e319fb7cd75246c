/** Request headers by name (case-insensitive), as both transports (fetch and node:http) have them. */
export interface HeaderLookup {
  get(name: string): string | null;
}
