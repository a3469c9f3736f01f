"""Chart builders: pure functions from plain rows to Plotly figures (testable without a browser)."""
import plotly.graph_objects as go


def bar_figure(rows: list[tuple[str, int]], *, title: str, x_title: str, y_title: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=[label for label, _ in rows], y=[value for _, value in rows]))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title,
                      margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=320)
    return fig
