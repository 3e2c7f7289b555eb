"""Step Functions speed: parse each JSONPath and each state machine definition once, not per use.

LocalStack 2026.3's interpreter calls ``jsonpath_ng.parse`` on every JSONPath it evaluates (each
``"x.$": "$.path"`` parameter, intrinsic function argument and ResultPath, for every state of every
execution). jsonpath-ng 1.7 builds its ply LALR tables on each of those calls (``write_tables=0``):
~17 ms of CPU per path, about 0.35 s per execution of the image pipeline, and all of it under the GIL of
LocalStack's single process. Each execution also re-parses its definition with ANTLR (~25 ms).

Both results are pure functions of a string: a parsed JSONPath is only read by ``find`` and
``update_or_create``, and the ANTLR tree is only read by the preprocessor, which still builds fresh
evaluation components per execution. So both are memoised (bounded LRU). ``SP_SFN_PARSE_CACHE=0``
turns it off (to measure the difference). Installed by ``plugins.install_sfn_parse_cache``.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

LOG = logging.getLogger(__name__)
JSONPATH_CACHE_SIZE = 4096
DEFINITION_CACHE_SIZE = 64


def enabled() -> bool:
    return os.environ.get("SP_SFN_PARSE_CACHE", "1") != "0"


def install() -> None:
    if not enabled():
        LOG.info("Step Functions parse cache off (SP_SFN_PARSE_CACHE=0)")
        return
    _cache_jsonpaths()
    _cache_definition_trees()


def _cache_jsonpaths() -> None:
    from localstack.services.stepfunctions.asl.component.common.path import result_path
    from localstack.services.stepfunctions.asl.utils import json_path

    # Each module imported its own `parse` (jsonpath_ng.ext's and jsonpath_ng's): wrap each one.
    for module in (json_path, result_path):
        if not hasattr(module.parse, "cache_info"):
            module.parse = functools.lru_cache(maxsize=JSONPATH_CACHE_SIZE)(module.parse)


def _cache_definition_trees() -> None:
    from antlr4 import CommonTokenStream, InputStream, ParserRuleContext
    from localstack.services.stepfunctions.asl.antlr.runtime.ASLLexer import ASLLexer
    from localstack.services.stepfunctions.asl.antlr.runtime.ASLParser import ASLParser
    from localstack.services.stepfunctions.asl.parse import asl_parser
    from localstack.services.stepfunctions.asl.parse.preprocessor import Preprocessor

    parser_class = asl_parser.AmazonStateLanguageParser
    if getattr(parser_class, "_sp_cached", False):
        return

    @functools.lru_cache(maxsize=DEFINITION_CACHE_SIZE)
    def syntax_tree(definition: str) -> ParserRuleContext:
        """LocalStack's AmazonStateLanguageParser.parse up to the tree (errors raise, and are not cached)."""
        errors = asl_parser.SyntaxErrorListener()
        parser = ASLParser(CommonTokenStream(ASLLexer(InputStream(definition))))
        parser.removeErrorListeners()
        parser.addErrorListener(errors)
        tree = parser.state_machine()
        if errors.errors:
            raise asl_parser.ASLParserException(errors=errors.errors)
        return tree

    def parse(definition: str) -> tuple[Any, ParserRuleContext]:
        tree = syntax_tree(definition)
        return Preprocessor().visit(tree), tree

    parser_class.parse = staticmethod(parse)
    parser_class._sp_cached = True
