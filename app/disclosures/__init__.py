"""Disclosures: what a village publishes (三务, 小微权力清单, 惠民资金), reviewed, versioned and tamper-evident."""
