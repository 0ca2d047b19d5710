/** Test helpers others' tests may use: a browser-like key pair, CSR and CMS signature. */
export * from './browser-like';
