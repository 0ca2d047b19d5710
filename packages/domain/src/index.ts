/**
 * @kaihu/domain — the rules and words Kaihu's server and front ends share. Browser-safe: pure
 * functions and data, no Node built-ins (its tsconfig knows no Node types; a lint rule refuses
 * `node:` imports). The server enforces these rules; the portal checks the same ones before it
 * sends anything, with the same words.
 */
export * from './businesses';
export * from './certificate-password';
export * from './dates';
export * from './id-number';
export * from './opening';
export * from './profile-enums';
export * from './profile-rules';
export * from './trail';
export * from './witness';
