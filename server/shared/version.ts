/** lexgate's version, as the health answer and the upstream clients' User-Agent give it. */
export const LEXGATE_VERSION = '0.1.0';
