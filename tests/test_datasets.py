import numpy as np

import analysis
from analysis import datasets


def test_ebbinghaus_savings_are_his_published_numbers():
    savings = datasets.load_ebbinghaus()
    assert savings.dims == ("lag",) and savings.sizes["lag"] == 7
    # Ebbinghaus (1885), ch. 7: 20 min, 1 h, 8.8 h, 1, 2, 6, 31 days
    np.testing.assert_allclose(savings["lag"], [20, 60, 528, 1440, 2880, 8640, 44640])
    np.testing.assert_array_equal(savings, [58.2, 44.2, 35.8, 33.7, 27.8, 25.4, 21.1])
    assert savings.attrs["units"] == "%" and savings["lag"].attrs["units"] == "min"
    assert savings.attrs["long_name"] and savings["lag"].attrs["long_name"]
    assert "Ebbinghaus" in savings.attrs["source"]
    assert "Ebbinghaus, H. (1885)" in datasets.load_ebbinghaus.__doc__


def test_loader_returns_a_fresh_copy():
    savings = datasets.load_ebbinghaus()
    savings[0] = 0
    assert datasets.load_ebbinghaus()[0] == 58.2


def test_savings_fall_with_delay_and_fit_as_percentages():
    savings = datasets.load_ebbinghaus()
    assert np.all(np.diff(savings.values) < 0)
    assert analysis.fit_forgetting(savings).attrs["scale"] == "percent"
