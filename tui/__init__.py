"""nnplay's faces: the Textual playground (``tui.app``) and the headless CLI (``tui.cli``).

Both only draw what the engine reports; neither does any math of its own.
"""
