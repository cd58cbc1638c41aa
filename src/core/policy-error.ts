/**
 * Raised by the policy evaluator on input where tinyauth's own evaluator raises (unknown condition operator,
 * unparsable IP address or network, matching statement without `Effect`, malformed statement…). The real server
 * answers such requests with a 500 page; callers must treat it as "not allowed", never as Allow.
 */
export class PolicyError extends Error {
  /** The Python exception class tinyauth raises in the same situation (`KeyError`, `ValueError`, …). */
  readonly pythonType: string;

  constructor(message: string, pythonType = 'ValueError') {
    super(message);
    this.name = 'PolicyError';
    this.pythonType = pythonType;
  }
}
