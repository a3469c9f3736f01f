"""The monthly marketing–sales review pack: one printable page per month (HTML with print CSS and
a PDF), mailed to managers and marketing by beat. Figures come from the metric registry."""
