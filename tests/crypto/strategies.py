"""Hypothesis strategies shared by the crypto tests."""

from hypothesis import strategies as st

# Any JSON value as Python decodes it: finite floats only, str keys.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)

json_objects = st.dictionaries(st.text(max_size=20), json_values, max_size=8)


def flip(data: bytes, position: int, bits: int) -> bytes:
    """``data`` with the byte at ``position`` (modulo its length) XORed by non-zero ``bits``."""
    position %= len(data)
    changed = bytearray(data)
    changed[position] ^= bits
    return bytes(changed)


positions = st.integers(min_value=0, max_value=2**31)
bit_masks = st.integers(min_value=1, max_value=255)
