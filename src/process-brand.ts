/**
 * Which objects are real ProcessHandles, for the modules that check without importing
 * process-handle.ts: namespace.ts (Namespace.fromProcess). process-handle.ts imports namespace.ts
 * (ProcessHandle.namespace() and pidIn() need Namespace), so an import back would be a cycle.
 * ProcessHandle's constructor records every handle; a WeakSet keeps none of them alive.
 */
const processHandles = new WeakSet<object>();

/** Called by ProcessHandle's constructor, once per handle. */
export function recordProcessHandle(handle: object): void {
  processHandles.add(handle);
}

/** Whether `value` was made by ProcessHandle's constructor (what `instanceof ProcessHandle` said). */
export function isProcessHandle(value: unknown): boolean {
  return typeof value === 'object' && value !== null && processHandles.has(value);
}
