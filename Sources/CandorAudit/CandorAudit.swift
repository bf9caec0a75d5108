// CandorAudit module.
