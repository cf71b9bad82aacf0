"""Chart geometry (app/core/charts.py): round value ticks, time mirrored in right-to-left
languages, and charts of a single day or week still drawn inside the plot."""

import pytest

from app.core.charts import bar_chart, line_chart, nice_ticks


@pytest.mark.parametrize(("low", "high", "integer", "ticks"), [
    (0, 1920, False, [0, 500, 1000, 1500, 2000]),
    (62.5, 106, False, [60, 80, 100, 120]),
    (0, 3, True, [0, 1, 2, 3]),
    (0, 1, True, [0, 1]),
    (100, 100, False, [100, 100.25, 100.5, 100.75, 101]),
])
def test_value_ticks_are_round_and_cover_the_values(low, high, integer, ticks):
    assert nice_ticks(low, high, integer=integer) == ticks


def lines(rtl):
    points = [(1, 80.0, "a"), (8, 85.0, "b"), (15, 90.0, "c")]
    return line_chart([("Squat", points)], (1, 20), [(1, "d1"), (20, "d20")], str, rtl)


def test_time_runs_right_to_left_with_the_value_axis_on_the_right_in_rtl():
    ltr, rtl = lines(False), lines(True)
    xs = [p.x for p in ltr.lines[0].points]
    assert xs == sorted(xs) and [p.x for p in rtl.lines[0].points] == [
        ltr.frame.width - x for x in xs]
    assert ltr.frame.value_x < ltr.frame.left and rtl.frame.value_x > rtl.frame.right
    assert [t.anchor for t in rtl.frame.x_ticks] == ["start", "end"]  # mirrored by direction
    ys = [p.y for p in ltr.lines[0].points]
    assert ys == sorted(ys, reverse=True)  # higher values higher up


def test_a_single_day_and_a_single_week_stay_inside_the_plot():
    one = line_chart([("Squat", [(5, 80.0, "a")])], (5, 5), [(5, "d5")], str, False)
    point, frame = one.lines[0].points[0], one.frame
    assert frame.left < point.x < frame.right and frame.top <= point.y <= frame.bottom
    bars = bar_chart([("Volume", [(0.0, ""), (1200.0, "w2")])], ["w1", "w2"], str, True)
    (bar,) = bars.series[0].bars
    assert bar.title == "w2" and bars.frame.left <= bar.x < bar.x + bar.width <= bars.frame.right
    assert bar.x < bars.frame.width / 2  # the latest week on the left in RTL
    assert round(bar.y + bar.height, 1) == bars.frame.bottom
