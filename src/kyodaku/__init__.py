"""kyodaku (許諾): consent-first rights control for generative AI.

Nothing a rightsholder has registered is generated or trained on unless that
rightsholder said yes first. See README.md for the tour.
"""

__version__ = "0.1.0"
