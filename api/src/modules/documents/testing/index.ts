/** Test helpers others' tests may use: synthetic ID-card and signature photos. */
export * from './synthetic-photos';
