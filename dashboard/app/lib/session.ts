// The Stats API key lives in sessionStorage: it survives a reload of this tab and is gone when the
// tab closes. This is the staff dashboard, not the tracker (which never stores anything).
const KEY_ITEM = 'telmark.statsKey';

export function loadKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_ITEM);
  } catch {
    return null; // storage disabled: the key simply lives in memory only
  }
}

export function saveKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY_ITEM);
    else sessionStorage.setItem(KEY_ITEM, key);
  } catch {
    // storage disabled: nothing to do
  }
}
