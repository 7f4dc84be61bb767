/** Where the agent program (native/agent/agent.cc) is: beside the addon that is loaded. */
import { helperProgram } from '../../native/helper-program.js';

/** The agent's path; an Error (ERR_NSBRIDGE_AGENT) with the build command when it is missing or not executable. */
export const agentBinary = (): string => helperProgram('nsbridge-agent', 'the kernel cross-check agent', 'ERR_NSBRIDGE_AGENT');
