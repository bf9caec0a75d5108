// CandorModels module.
