"""Customer-360 panels contributed by customers (registered in customers.registry): render functions
returning salesops.panels.PanelContent, one module per panel."""
