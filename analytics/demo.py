"""Demo data for analytics: the daily sales rollup of the orders the orders demo wrote (its bulk
path writes no history signals, and its small path moves orders back in time afterwards)."""

from .rollup import sales_rollup_rebuild


def seed(context):
    written = sales_rollup_rebuild()
    context.stdout.write(f"Sales rollup: {written['products']} product-days, "
                         f"{written['days']} days.")
