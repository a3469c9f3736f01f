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


def score_history_figure(days: list, scores: list, *, title: str, y_title: str,
                         bands: list[tuple[str, int, int]] = ()) -> go.Figure:
    """A score over days (0–100), with shaded bands (label, min, max) behind it (e.g. health history)."""
    fig = go.Figure(go.Scatter(x=[str(d) for d in days], y=list(scores), mode="lines+markers", name=y_title))
    colours = {"healthy": "rgba(46,160,67,0.10)", "at_risk": "rgba(219,171,9,0.12)", "critical": "rgba(207,34,46,0.10)"}
    for code, lo, hi in bands:
        fig.add_hrect(y0=lo, y1=hi, line_width=0, fillcolor=colours.get(code, "rgba(0,0,0,0.05)"))
    fig.update_layout(title=title, yaxis_title=y_title, yaxis_range=[0, 100],
                      margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=280, showlegend=False)
    return fig


def interval_bar_figure(categories: list[str], values: list[float | None], lows: list[float | None],
                        highs: list[float | None], *, title: str, x_title: str, y_title: str,
                        y_suffix: str = "") -> go.Figure:
    """One bar per category with its confidence interval as an error bar (e.g. conversion per grade)."""
    plus = [None if v is None or h is None else h - v for v, h in zip(values, highs)]
    minus = [None if v is None or lo is None else v - lo for v, lo in zip(values, lows)]
    fig = go.Figure(go.Bar(x=list(categories), y=list(values), name=y_title,
                           error_y={"type": "data", "symmetric": False, "array": plus, "arrayminus": minus}))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, yaxis_ticksuffix=y_suffix,
                      xaxis_type="category", showlegend=False,
                      margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=320)
    return fig


def calibration_figure(series: list[tuple[str, list[float], list[float]]], *, title: str, x_title: str,
                       y_title: str, diagonal: str) -> go.Figure:
    """Predicted against actual rate per group (e.g. deciles of a win probability), one line per source,
    in percent, with the diagonal a perfectly calibrated source would follow."""
    fig = go.Figure([go.Scatter(name=diagonal, x=[0, 100], y=[0, 100], mode="lines",
                                line={"dash": "dot", "color": "#999"}, hoverinfo="skip")])
    for name, predicted, actual in series:
        fig.add_trace(go.Scatter(name=name, x=list(predicted), y=list(actual), mode="lines+markers"))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, xaxis_ticksuffix="%",
                      yaxis_ticksuffix="%", xaxis_range=[0, 100], yaxis_range=[0, 100],
                      margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=360,
                      legend={"orientation": "h", "y": -0.25})
    return fig
