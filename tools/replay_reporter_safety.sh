#!/usr/bin/env bash
# Replays the reporter-safety findings (issue 12) against a running `make run` on 127.0.0.1:5000; $1 = that checkout.
# Run it on a freshly seeded demo (rm -rf instance; make run): it creates the account xiexiang.
set -u
B=http://127.0.0.1:5000/api/v1
cd "$1"
j() { python3 -c "import sys,json; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
login() { curl -s -X POST $B/auth/login -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" | j 'd.get("token")'; }
ADMIN=$(login admin Demo-2026-mss)
SECRETARY=$(curl -s $B/villages/420323103211 | j '[c["name"] for c in d["cadres"] if c["post"].startswith("村党支部书记")][0]')
echo "龙井村党支部书记: $SECRETARY"
echo "== finding 1: an inspector account for him on 宝丰镇"
curl -s -X POST $B/admin/users -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"username\":\"xiexiang\",\"display_name\":\"$SECRETARY\",\"password\":\"Xiexiang-2026-pw\",\"grants\":[{\"role\":\"inspector\",\"region_code\":\"420323103000\"}]}" | j 'd.get("grants") or d'
.venv/bin/flask accounts grant xiexiang inspector --region 420323103000 2>&1 | tail -1
XIE=$(login xiexiang Xiexiang-2026-pw)
TIP=$(curl -s -X POST $B/reports -H 'Content-Type: application/json' -d "{\"kind\":\"tipoff\",\"village_code\":\"420323103211\",\"anonymous\":true,\"topic\":\"强农惠农政策落实\",\"content\":\"村支书把低保名额给了亲戚，请核查。\",\"target\":{\"person_name\":\"$SECRETARY\",\"person_post\":\"村党支部书记\"}}")
echo "submitted: $(echo $TIP | j 'd["tracking_no"]')"
echo "his queue holds it: $(curl -s "$B/triage/reports?limit=100" -H "Authorization: Bearer $XIE" | j "any('低保名额给了亲戚' in (i.get('excerpt') or '') for i in d['items'])")"
INSP=$(login inspector Demo-2026-mss)
RID=$(curl -s "$B/triage/reports?limit=100" -H "Authorization: Bearer $INSP" | j "[i['id'] for i in d['items'] if '低保名额给了亲戚' in (i.get('excerpt') or '')][0]")
echo "he opens it: $(curl -s -o /dev/null -w '%{http_code}' $B/triage/reports/$RID -H "Authorization: Bearer $XIE") (want 404)"
echo "he closes it out: $(curl -s -o /dev/null -w '%{http_code}' -X POST $B/triage/reports/$RID/accept -H "Authorization: Bearer $XIE" -H 'Content-Type: application/json' -d '{"disposition":"close_out"}') (want 404)"
echo "county sees the possible match: $(curl -s $B/triage/reports/$RID/conflicts -H "Authorization: Bearer $INSP" | j '[m["label"]+"/"+m["reason"] for m in d["possible_matches"]]')"
RN=$(curl -s -X POST $B/reports -H 'Content-Type: application/json' -d "{\"kind\":\"tipoff\",\"village_code\":\"420323103211\",\"anonymous\":false,\"topic\":\"强农惠农政策落实\",\"content\":\"村支书虚报冒领补贴，请核查。\",\"reporter\":{\"name\":\"陈德明\",\"phone\":\"13907191234\",\"id_number\":\"420323196001011008\"},\"target\":{\"person_name\":\"$SECRETARY\",\"person_post\":\"村党支部书记\"}}")
echo "finding 7: a real-name reporter gets a receipt code: $(echo $RN | j 'd["receipt_code"]')"
RID2=$(curl -s "$B/triage/reports?limit=100" -H "Authorization: Bearer $INSP" | j "[i['id'] for i in d['items'] if '虚报冒领' in (i.get('excerpt') or '')][0]")
echo "he files an identity request: $(curl -s -o /dev/null -w '%{http_code}' -X POST $B/triage/reports/$RID2/identity-requests -H "Authorization: Bearer $XIE" -H 'Content-Type: application/json' -d '{"reason":"需要核实举报人的情况"}') (want 404)"
echo "== finding 2: a tip-off about 竹山县农业农村局局长"
curl -s -X POST $B/reports -H 'Content-Type: application/json' -d '{"kind":"tipoff","village_code":"420323103211","anonymous":true,"topic":"强农惠农政策落实","content":"农业农村局局长插手补贴发放，请核查。","target":{"person_post":"竹山县农业农村局局长"}}' > /dev/null
RID3=$(curl -s "$B/triage/reports?limit=100" -H "Authorization: Bearer $INSP" | j "[i['id'] for i in d['items'] if '插手补贴' in (i.get('excerpt') or '')][0]")
curl -s -o /dev/null -X POST $B/triage/reports/$RID3/accept -H "Authorization: Bearer $INSP" -H 'Content-Type: application/json' -d '{"disposition":"preliminary_verification"}'
AGRI=$(curl -s "$B/units?limit=100" -H "Authorization: Bearer $INSP" | j "[u['id'] for u in d['items'] if u['name']=='竹山县农业农村局'][0]")
DUE=$(python3 -c "import datetime; print((datetime.date.today()+datetime.timedelta(days=10)).isoformat())")
echo "assign to 农业农村局: $(curl -s -X POST $B/triage/reports/$RID3/assign -H "Authorization: Bearer $INSP" -H 'Content-Type: application/json' -d "{\"unit_id\":$AGRI,\"due_date\":\"$DUE\"}" | j 'd.get("error",{}).get("code")') (want assign_to_accused_unit)"
UH=$(login unit_handler Demo-2026-mss)
echo "its unit handler opens it: $(curl -s -o /dev/null -w '%{http_code}' $B/triage/reports/$RID3 -H "Authorization: Bearer $UH") (want 404)"
echo "== finding 3: 宝丰镇党委书记 from the H5 form goes over 宝丰镇纪委's head"
curl -s -o /dev/null -w 'H5 form (what report.js posts, channel h5): %{http_code}\n' -X POST $B/reports -H 'Content-Type: application/json' -d '{"kind":"tipoff","village_code":"420323103211","anonymous":true,"topic":"其他","channel":"h5","content":"宝丰镇党委书记违规收受礼金，请核查。","target":{"person_name":"某书记","person_post":"宝丰镇党委书记"}}'
BF=$(login inspector_baofeng Demo-2026-mss)
echo "宝丰镇纪委 sees it: $(curl -s "$B/triage/reports?limit=100" -H "Authorization: Bearer $BF" | j "any('违规收受礼金' in (i.get('excerpt') or '') for i in d['items'])") (want False)"
echo "county sees it: $(curl -s "$B/triage/reports?limit=100" -H "Authorization: Bearer $INSP" | j "any('违规收受礼金' in (i.get('excerpt') or '') for i in d['items'])")"
echo "== finding 4: GET track path: $(curl -s -o /dev/null -w '%{http_code}' $B/reports/track/9882379659490700) (want 410)"
CODE=$(echo $RN | j 'd["receipt_code"].replace(" ","")')
echo "POST track: $(curl -s -X POST $B/reports/track -H 'Content-Type: application/json' -d "{\"receipt_code\":\"$CODE\"}" | j 'd["status_label"]')"
echo "== finding 5: the admin grants himself custodian: $(curl -s -X POST $B/admin/users/1/grants -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{"role":"custodian","region_code":"420323000000"}' | j 'd.get("error",{}).get("code")')"
for i in 1 2 3 4 5; do curl -s -o /dev/null -X POST $B/auth/login -H 'Content-Type: application/json' -d '{"username":"custodian","password":"wrong-password"}'; done
echo "5 bad guesses from this address, then the right password from it: $(curl -s -o /dev/null -w '%{http_code}' -X POST $B/auth/login -H 'Content-Type: application/json' -d '{"username":"custodian","password":"Demo-2026-mss"}') (429 with Retry-After: this address waits; no account lock — other addresses are tested in tests/auth/test_throttle.py)"
echo "== finding 6: NUL: login $(curl -s -o /dev/null -w '%{http_code}' -X POST $B/auth/login -H 'Content-Type: application/json' -d '{"username":"x\u0000","password":"y"}'), villages?q=%00 $(curl -s -o /dev/null -w '%{http_code}' "$B/villages?q=%00") (want 400 400)"
