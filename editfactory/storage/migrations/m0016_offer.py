"""The offer a project's clips sell: product, price, old price, call to action, URL, end card and opening hook."""

STATEMENTS = [
    # editfactory.services.offer.Offer as a dict (prices as numbers, the currency as its ISO code); NULL = no offer.
    "ALTER TABLE projects ADD COLUMN offer JSON",
]
