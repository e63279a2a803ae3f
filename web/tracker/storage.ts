// localStorage may be missing or throw (privacy modes, sandboxed iframes, full quota): every access is guarded.

export const get = (key: string): string | null => {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
};

export const set = (key: string, value: string) => {
  try {
    localStorage.setItem(key, value);
  } catch {}
};

export const del = (...keys: string[]) =>
  keys.forEach((key) => {
    try {
      localStorage.removeItem(key);
    } catch {}
  });

/** The parsed JSON under key, or null. */
export const load = (key: string): any => {
  try {
    return JSON.parse(get(key)!);
  } catch {
    return null;
  }
};

export const save = (key: string, value: unknown) => set(key, JSON.stringify(value));
