"""The ontology: data files that say who the actors are (``actors``) and which words mark
events and items (``lexicon``), each with the loader that validates it.

Modules are imported directly (``from aidtrace.ontology.actors import Gazetteer``) so that
loading one data set never pays for the other.
"""
