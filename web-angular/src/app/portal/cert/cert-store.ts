/**
 * This browser's certificates: the PKCS#12 (DER, already encrypted under the certificate password
 * by PKCS#12 itself) in IndexedDB, one per customer id. Nothing here is ever sent anywhere.
 */

export interface StoredCertificate {
  customerId: string;
  /** PKCS#12, DER */
  pkcs12: Uint8Array;
  serialNumber: string;
  notAfter: string;
  savedAt: string;
}

const DB = 'kaihu-certificates';
const STORE = 'pkcs12';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined')
      return reject(new Error('此浏览器不能保存数字证书（不支持 IndexedDB），请关闭无痕模式或更换浏览器'));
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'customerId' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error('无法打开本机的证书存储，请关闭无痕模式或更换浏览器'));
    req.onblocked = () => reject(new Error('证书存储被其他页面占用，请关闭其他开户云页面后重试'));
  });
}

async function run<T>(mode: IDBTransactionMode, f: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      let result: T;
      req.onsuccess = () => (result = req.result);
      tx.oncomplete = () => resolve(result);
      tx.onerror = tx.onabort = () => reject(new Error('读写本机证书存储失败，请重试'));
    });
  } finally {
    db.close();
  }
}

/** The certificate this browser keeps for the customer, or null. */
export async function loadCertificate(customerId: string): Promise<StoredCertificate | null> {
  const found = await run<StoredCertificate | undefined>('readonly', (s) => s.get(customerId));
  return found ? { ...found, pkcs12: new Uint8Array(found.pkcs12) } : null;
}

/** Keeps (or replaces) the customer's certificate in this browser. */
export async function saveCertificate(cert: StoredCertificate): Promise<void> {
  await run('readwrite', (s) => s.put({ ...cert, pkcs12: cert.pkcs12.slice() }));
}
