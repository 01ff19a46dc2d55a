#!/usr/bin/env bash
# Renders the printed examples in docs/ from the tests that print them: the access export
# (docs/access-export-example.pdf and .png) and the publication dossier (docs/publication-dossier-example.pdf and .png),
# each an HTML page of the API printed by headless Chromium, one A4 page per section. The class sheet's example is
# rendered the same way (CLASS_SHEET_EXAMPLE_DIR). Needs what ./test.sh installs (PostgreSQL, Chromium, poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
ensure_dotnet
ensure_postgres_server
ensure_chromium
ensure_pdf_tools
docs="$(pwd)/docs"
dotnet build tests/ConsentApi.Tests -c Release --nologo -v quiet
ACCESS_EXPORT_EXAMPLE_DIR="$docs" DOSSIER_EXAMPLE_DIR="$docs" CLASS_SHEET_EXAMPLE_DIR="$docs" \
  dotnet test tests/ConsentApi.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~A_browser_prints_the_page_with_each_part_on_an_a4_page_of_its_own|FullyQualifiedName~A_browser_prints_each_part_of_the_dossier_from_the_top_of_an_a4_page|FullyQualifiedName~The_class_sheet_renders_to_a_png_and_a_pdf_that_are_not_blank"
ls -l docs/*-example.*
