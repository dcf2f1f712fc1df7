#!/usr/bin/env bash
# Rebuilds the demo-data bundle from the public files in ../shared/data (or $INTERDICT_SHARED_DATA).
# Every file is `gzip -9 -n` of the original bytes: no row is changed, added or removed, so the
# SHA-256 of the decompressed file equals the original's, as PROVENANCE.md records.
# `-n` leaves the name and time out of the gzip header, so the output is reproducible.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="${INTERDICT_SHARED_DATA:-$here/../../shared/data}"

files=(
  watchlists/ofac-sdn-2024-05-03/sdn.csv
  watchlists/ofac-sdn-2021-07-07/sdn.csv
  watchlists/ofac-sdn-2021-07-07/alt.csv
  watchlists/ofac-sdn-2021-07-07/add.csv
  watchlists/ofac-sdn-2021-07-07/sdn_comments.csv
  watchlists/un-consolidated-2026-02/UN_consolidated.xml
  seizures/cbp/cbp_drug_seizures_fy19_22.csv
  seizures/cbp/cbp_drug_seizures_fy22_25.csv
  seizures/unodc/drug_seizures_2018_2022.csv
  border-crossings/Border_Crossing_Entry_Data_2015-2025.csv
  border-crossings/border_ports.csv
  ports/wpi/UpdatedPub150.csv
  ports/unlocode/unlocode_geoapify_2024.csv
  customs-synthetic/kcs-2023-hs6/df_syn_train_eng.csv
  customs-synthetic/kcs-2023-hs6/df_syn_valid_eng.csv
)

for f in "${files[@]}"; do
  mkdir -p "$here/$(dirname "$f")"
  gzip -9 -n -c "$src/$f" >"$here/$f.gz"
  printf '%s  %s  %s\n' "$(sha256sum <"$here/$f.gz" | cut -d' ' -f1)" "$(sha256sum <"$src/$f" | cut -d' ' -f1)" "$f.gz"
done
