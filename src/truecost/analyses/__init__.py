"""Analyses over the priced ledger: spend, cost stack, forecasts, alerts, savings, self-hosting."""
