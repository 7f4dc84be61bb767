// Types of proc-state.mjs.

export declare const NS_LINKS: readonly string[];

export interface HostState {
  fds: number[];
  mounts: string;
  namespaces: Record<string, string>;
}

/** The fds open in a process (this one by default), as numbers. */
export declare function openFds(pid?: number | 'self'): number[];

/** This process's open fds, its mountinfo, and the targets of its /proc/self/ns links. */
export declare function hostState(): HostState;

/** Children of this process that are zombies (state Z). */
export declare function zombieChildren(): number[];
