// The decision types live in a leaf file that imports nothing, so every folder may use them without a cycle.
export * from '../decision';
