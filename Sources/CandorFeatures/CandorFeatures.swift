// CandorFeatures module.
