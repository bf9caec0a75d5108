// CandorCLI module.
