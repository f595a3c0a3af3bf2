"""Expenses: mileage and out-of-pocket claims at HMRC rates, receipts, approval and the finance export."""
