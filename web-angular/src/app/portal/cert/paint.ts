/**
 * Resolves once the page has had the chance to paint (the progress text shown before a piece of
 * synchronous forge work); also in a background tab, where animation frames do not come.
 */
export function paint(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      setTimeout(resolve, 0);
    };
    requestAnimationFrame(go);
    setTimeout(go, 100);
  });
}
