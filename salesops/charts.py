"""Chart builders: pure functions from plain rows to Plotly figures (testable without a browser)."""
import plotly.graph_objects as go


def grouped_bar_figure(categories: list[str], series: list[tuple[str, list[int]]], *, title: str, x_title: str,
                       y_title: str) -> go.Figure:
    """One bar per series for each category, side by side (e.g. leads, MQLs, won per source)."""
    fig = go.Figure([go.Bar(name=name, x=list(categories), y=list(values)) for name, values in series])
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, barmode="group",
                      margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=360)
    return fig


def weekly_bar_figure(weeks: list[str], values: list[float], *, title: str, y_title: str) -> go.Figure:
    """A small bar chart of one value per week (e.g. product usage of an account over 12 weeks)."""
    fig = go.Figure([go.Bar(x=list(weeks), y=list(values), name=y_title)])
    fig.update_layout(title=title, yaxis_title=y_title, margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=240,
                      showlegend=False)
    return fig


def line_figure(categories: list[str], series: list[tuple[str, list[float | None]]], *, title: str, x_title: str,
                y_title: str, y_suffix: str = "") -> go.Figure:
    """One line per series over the categories (e.g. churn per month); None leaves a gap."""
    fig = go.Figure([go.Scatter(name=name, x=list(categories), y=list(values), mode="lines+markers")
                     for name, values in series])
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, yaxis_ticksuffix=y_suffix,
                      xaxis_type="category",  # "2026-01" is a label, not a date
                      margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=360)
    return fig
