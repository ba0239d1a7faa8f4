"""한국어 보고서 문구: ``TEXTS`` (제목, 표 머리글, 문장, 용어 목록, 참고), 분석 결과의 코드로 찾는다.

The Korean catalogue: the same keys and placeholders as :mod:`pill_compare.report.messages.en`
(tests/report/test_messages.py holds them equal), in plain declarative style (~다) and the
vocabulary Korean detection teams use: 오탐지 for false detections as a whole, 오검출 for a false
positive (FP), 미검출 for a miss, 매칭 for pairing boxes, 어노테이션 / 라벨 for annotations,
판정 기준 for the operating point (score and IoU thresholds), crowd 영역 for COCO's crowd regions,
정확도, 클래스, 검출, 정답 데이터.
"""

from __future__ import annotations

#: The renderers' own words (:data:`pill_compare.report.render.common.DEFAULT_WORDS`).
RENDER_WORDS = {
    "contents": "목차",
    "note.info": "참고",
    "note.absent": "생략",
    "note.caveat": "주의",
    "note.warning": "경고",
    "more_row": "… 외 1행 (md/json/csv에 전체 수록)",
    "more_rows": "… 외 {n}행 (md/json/csv에 전체 수록)",
    "figure": "[그림: {caption}]",
    "gallery": "[갤러리: 이미지 {n}장]",
    "gallery_one": "[갤러리: 이미지 1장]",
    "gallery_caption": "[갤러리: {caption} (이미지 {n}장)]",
    "gallery_caption_one": "[갤러리: {caption} (이미지 1장)]",
    "sort": "이 열로 정렬",
    "page_cut": "전체 {total}행 중 앞의 {shown}행; report.json에 모두 있다.",
    "page_cut_file": "전체 {total}행 중 앞의 {shown}행; 모든 행과 열: {file}",
    "page_file": "모든 열 (스프레드시트와 스크립트용): {file}",
}

#: 보고서의 모든 문구 (키 → 서식 문자열). 자리표시자는 영어 카탈로그와 같다.
TEXTS: dict[str, str] = {
    # --- 분석 코드로 만드는 문장 (Catalogue의 메서드) ---------------------------------------
    "metric_name.map": "mAP",
    "metric_name.map_50": "AP50",
    "metric_name.f1": "판정 기준 F1",
    "finding.support.support_explains": "학습 샘플 수가 많을수록 높다",
    "finding.support.inverse": "학습 샘플 수가 많을수록 낮다",
    "finding.support.no_evidence": "학습 샘플 수를 따른다는 증거가 없다",
    "finding.support.not_computable": "학습 샘플 수와 관련지을 수 없다",
    "finding.dispute.disputes_on_rare": "두 모델은 희소 클래스에서 가장 많이 불일치한다",
    "finding.dispute.disputes_on_frequent": "두 모델은 희소 클래스가 아니라 빈도가 높은 "
    "클래스에서 가장 많이 불일치한다",
    "finding.dispute.no_evidence": "불일치가 희소 클래스나 빈도가 높은 클래스에 몰려 있다는 "
    "증거가 없다",
    "finding.dispute.not_computable": "불일치가 발생한 클래스를 학습 샘플 수와 관련지을 수 없다",
    "finding.gap.gap_larger_on_rare": "두 모델의 AP 차이(B − A)는 희소 클래스에서 더 크다",
    "finding.gap.gap_larger_on_frequent": "두 모델의 AP 차이(B − A)는 빈도가 높은 클래스에서 더 "
    "크다",
    "finding.gap.no_evidence": "두 모델의 AP 차이(B − A)가 학습 샘플 수를 따른다는 증거가 없다",
    "finding.gap.not_computable": "두 모델의 AP 차이를 학습 샘플 수와 관련지을 수 없다",
    "sentence.correlation": "{text} ({facts}){power}.",
    "sentence.correlation_reason": "{text} ({reason}).",
    "sentence.plain": "{text}.",
    "sentence.dispute.rate": " (정답 박스당 불일치 수와 학습 샘플 수: {facts})",
    "sentence.dispute.top": "; 가장 많이 불일치한 클래스 {top}개 중 희소 클래스는 {rare}개다",
    "sentence.dispute.share": " (전체 클래스 중 희소 클래스 비율 {share:.0%})",
    "sentence.significance.ci": "{level:.0%} 신뢰구간 [{low}, {high}]",
    "sentence.significance.facts": "({ci}, {p}, 이미지 {n}장)",
    "sentence.significance.undefined": "이 데이터에서는 {metric} 차이를 정의할 수 없다.",
    "sentence.significance.better": "{metric} 기준으로 {better} 모델이 {worse} 모델보다 {delta} "
    "높으며, 이 차이는 유의하다 {facts}.",
    "sentence.significance.not_significant": "유의수준 {alpha:.0%}에서 {metric} 기준 {b} 모델과 "
    "{a} 모델의 차이에 대한 증거가 없다: {delta:+.3f} ({ci}, {p}, 이미지 {n}장); 이 구간 안의 어떤 "
    "차이도 데이터와 맞는다.",
    "sentence.no_bootstrap": "부트스트랩을 실행하지 않았으므로(재표본 0회) 유의성은 검정하지 "
    "않았다.",
    "sentence.no_ground_truth": "정답 데이터가 없으므로 이것은 정확도가 아니라 두 결과의 일치도다. "
    "정답 데이터가 있으면 어느 모델이 더 나은지, 그 차이가 유의한지, 모든 불일치에서 누가 맞았는지, "
    "각 모델의 오류 유형을 알 수 있다.",
    "sentence.mcnemar": "정답 객체 기준(점수 >= {score:g}, IoU >= {iou:g}): {a} 모델만 찾은 객체 "
    "{a_only}개, {b} 모델만 찾은 객체 {b_only}개 (McNemar 정확 검정 {p}; 두 모델 모두 {both}개, 둘 "
    "다 놓침 {neither}개).",
    "sentence.support.model": "{name} 모델의 AP는 {what} ({facts})",
    "sentence.support.model_reason": "{name} 모델의 AP는 {what} ({reason})",
    "sentence.support.join": "; ",
    "sentence.support": "학습 샘플 수와 클래스별 AP: {parts}{power}.",
    # --- 보고서, 메타데이터 ------------------------------------------------------------------
    "report.title": "{a} vs {b} 오탐지 사례 비교 보고서",
    "report.subtitle": "어느 모델이 더 나은지, 어디서 다른지, 누가 맞았는지, 그리고 왜인지",
    "report.contents": "목차",
    "meta.version": "pillcmp 버전",
    "meta.date": "작성일",
    "meta.input.a": "결과 A",
    "meta.input.b": "결과 B",
    "meta.input.gt": "정답 데이터",
    "meta.input.train": "학습 어노테이션",
    "meta.input.images": "이미지",
    "yes": "예",
    "p.none": "p n/a",
    "p.small": "p < 0.001",
    "p.value": "p = {p:.3f}",
    "compare.title": "비교: {a} vs {b}",
    "header.runs": "A = {a} (검출 {la}개), B = {b} (검출 {lb}개)",
    "header.gt": "정답 데이터 {gt}: 이미지 {images}장, 정답 박스 {boxes}개; 판정 기준 점수 >= {score:g}, IoU >= "
    "{iou:g}; 매칭 IoU {pair_iou:g}; 부트스트랩 재표본 {n}회, 난수 시드 {seed}",
    "header.no_gt": "정답 데이터 없음; 점수 >= {score:g}인 박스를 IoU {pair_iou:g}로 매칭함",
    # --- 진단: 입력의 문제 (pill_compare.analysis.diagnosis) ------------------------------
    "s.diagnosis": "입력 점검",
    "diagnosis.severity.blocking": "차단",
    "diagnosis.severity.warning": "경고",
    "diagnosis.severity.info": "참고",
    "diagnosis.repaired": "수정됨",
    "diagnosis.clean": "입력 점검에서 문제가 발견되지 않았다 (점검 {checks}개: {names}).",
    "diagnosis.banner": "아래 수치는 아직 믿을 수 없다: 입력에 차단 수준의 문제가 {n}개 있다. "
    "모든 수치는 주어진 파일 그대로 계산되었으니, 문제를 고친 뒤 다시 실행하라.",
    "diagnosis.banner.doctor": "차단 수준의 문제가 {n}개 있다: 고치기 전까지 이 파일들을 "
    "그대로 평가하거나 비교하는 것은 의미가 없다.",
    "diagnosis.intro": "무엇이든 비교하기 전에 각 입력을 점검한다: 카테고리 id 체계, 박스 형식, "
    "중복 행, 정답 데이터의 이미지. 차단 수준의 문제가 있으면 고치기 전까지 비교는 의미가 없다.",
    "diagnosis.fix_label": "해결",
    "diagnosis.applied_map": "{file}: 카테고리 id를 {origin}(으)로 바꿨다 (id {n}개, 예: "
    "{examples}){inferred}.",
    "diagnosis.applied_map.inferred": "; 이 파일을 평가하는 정답 데이터 {gt}에서 추정했다. 정답에서 "
    "읽어 낸 대응표는 파일을 실제보다 좋게 보이게 할 수 있으니, 수치를 믿기 전에 대응표를 검토하라 "
    "(pillcmp doctor --write-map)",
    "diagnosis.applied_map.offset": "{file}: {origin}(으)로 모든 카테고리 id를 {offset:+g}만큼 "
    "옮겼다{inferred}.",
    "diagnosis.applied_map.origin.auto": "--category-map auto 옵션",
    "diagnosis.applied_map.origin.offset": "--category-map offset 옵션",
    "diagnosis.applied_map.origin.file": "카테고리 매핑 파일 {source}",
    "diagnosis.col.severity": "심각도",
    "diagnosis.col.finding": "발견",
    "diagnosis.col.file": "파일",
    "diagnosis.col.count": "행 / 박스",
    "diagnosis.col.fix": "해결",
    "diagnosis.summary.blocked": "더 나은 모델을 판정하지 않는다: 입력에 차단 수준의 문제가 "
    "{n}개 있다 ({codes}). 첫째: {first}",
    "diagnosis.likely_missing_annotations.title": "정답 데이터에 빠진 물체가 있어 보인다",
    "diagnosis.likely_missing_annotations.text": "{file}: 두 모델이 높은 점수로, 같은 클래스로 일치하는 박스 {count}개 "
    "근처에 어떤 클래스의 정답 박스도 없다 (정답 박스 {gt_boxes}개의 {share_pct}). 이 박스들은 두 모델 모두의 오검출로 계산된다. 이들을 빼면 "
    "mAP는 {name_a} {map_a_completed_3} (채점값 {map_a_3}), {name_b} {map_b_completed_3} ({map_b_3})가 "
    "된다: 실제 수치가 아니라 추정치다.",
    "diagnosis.likely_wrong_labels.title": "정답 데이터의 라벨이 틀렸을 수 있다",
    "diagnosis.likely_wrong_labels.text": "{file}: 정답 박스 {count}개에서 두 모델이 모두 높은 "
    "점수로 같은 다른 클래스를 말한다: 라벨이 틀렸거나 두 모델이 같은 실수를 한다 (닮은 알약).",
    "diagnosis.fix.review_annotations": "이 사례들을 눈으로 확인하라 (pillcmp report의 정답 데이터 "
    "점검 절에 목록이 있다). 정밀도와 오검출을 읽기 전에 어노테이션을 보완하거나 바로잡아라.",
    "diagnosis.gt_mismatch.title": "결과와 정답 데이터의 이미지가 다르다",
    "diagnosis.gt_mismatch.text": "{file}: 검출 {detections}개 중 {on_gt_images}개"
    "({share_on_gt_pct})만 정답 데이터 {gt}의 이미지에 있다 (정답의 이미지 id "
    "{gt_image_range_text}, 결과의 이미지 id {run_image_range_text}). 나머지는 어떤 것과도 "
    "매칭될 수 없다.",
    "diagnosis.gt_mismatch.text.boxes": "{file}: 이미지는 정답 데이터의 것이지만, 어떤 박스 "
    "형식으로 읽어도 박스의 {share_pct}만 같은 이미지의 정답 박스와 IoU 0.5 이상 겹친다: 다른 "
    "이미지의 박스이거나 다른 정답 데이터다.",
    "diagnosis.fix.check_gt": "결과를 만든 이미지의 정답 데이터를 넘겨라 (학습 어노테이션이 "
    "아니라 테스트 분할의 어노테이션).",
    "diagnosis.identical_inputs.title": "A와 B가 같은 검출 결과다",
    "diagnosis.identical_inputs.text": "{file_a}와 {file_b}는 똑같은 검출 {detections}개를 "
    "담고 있다: 둘 사이의 차이는 모두 0일 수밖에 없다.",
    "diagnosis.fix.different_runs": "비교하려는 두 결과를 넘겨라.",
    "diagnosis.image_sets_differ.title": "두 결과가 다룬 이미지가 다르다",
    "diagnosis.image_sets_differ.text": "이미지 {images}개 중 {count}개({share_pct})는 한쪽 "
    "결과에만 검출이 있다 ({file_a}에만 {only_a}개, {file_b}에만 {only_b}개).",
    "diagnosis.fix.same_images": "두 모델을 같은 이미지에서 실행하라. 중단되었거나 일부만 실행된 "
    "결과에서는 빠진 이미지가 모두 미검출로 계산된다.",
    "diagnosis.box_format_xyxy.title": "박스가 [x, y, w, h]가 아니라 [x1, y1, x2, y2]다",
    "diagnosis.box_format_cxcywh.title": "박스가 [x, y, w, h]가 아니라 중심 + 크기다",
    "diagnosis.box_format_normalized.title": "박스가 픽셀이 아니라 0–1로 정규화되어 있다",
    "diagnosis.box_format.text": "{file}: {reading_text}(으)로 읽으면 박스의 {share_pct}가 "
    "{against_text}의 박스와 IoU 0.5 이상 겹치고, 주어진 대로([x, y, w, h] 픽셀) 읽으면 "
    "{share_as_given_pct}다.",
    "diagnosis.box_format.text.heuristic": "{file}: {sign_text}. 비교할 정답 데이터나 다른 "
    "결과가 없으므로 이것은 징후일 뿐 증거는 아니다.",
    "diagnosis.box_format.sign.range": "모든 좌표가 0과 1 사이다: 박스가 이미지 크기로 "
    "정규화된 것으로 보인다",
    "diagnosis.box_format.sign.corners": "모든 박스가 w > x, h > y다: 박스가 [x1, y1, x2, y2]로 "
    "보인다",
    "diagnosis.box_format.against.gt": "정답 데이터",
    "diagnosis.box_format.against.run": "다른 결과({other})",
    "diagnosis.reading.xywh": "픽셀 단위 [x, y, w, h]",
    "diagnosis.reading.xyxy": "픽셀 단위 [x1, y1, x2, y2]",
    "diagnosis.reading.cxcywh": "픽셀 단위 [중심 x, 중심 y, w, h]",
    "diagnosis.reading.xywh_normalized": "이미지 크기 대비 비율의 [x, y, w, h]",
    "diagnosis.reading.xyxy_normalized": "이미지 크기 대비 비율의 [x1, y1, x2, y2]",
    "diagnosis.reading.cxcywh_normalized": "이미지 크기 대비 비율의 [중심 x, 중심 y, w, h] (YOLO)",
    "diagnosis.fix.convert_boxes": "COCO 박스 [x, y, w, h]를 픽셀 단위로 써라: 이 파일은 "
    "{reading_text}다.",
    "diagnosis.degenerate_boxes.title": "너비나 높이가 0인 박스",
    "diagnosis.degenerate_boxes.text": "{file}: 검출 {detections}개 중 {count}개가 w = 0 또는 h = 0이다 (최고 "
    "점수 {max_score_3}). pycocotools와 똑같이 채점한다: 어떤 것과도 매칭되지 않으므로 각각 오검출이다.",
    "diagnosis.fix.drop_degenerate": "쓰기 전에 빼거나 잘라라 (가장자리에서 잘려 크기가 0이 된 "
    "박스). --strict는 이런 파일을 거부한다.",
    "diagnosis.duplicate_detections.title": "중복된 검출",
    "diagnosis.duplicate_detections.text": "{file}: 검출 {detections}개 중 {count}개"
    "({share_pct})가 다른 검출의 반복이다: 완전히 같은 복사본 {exact}개 (한 이미지에 최대 "
    "{most_per_image}개)와 거의 같은 복사본 {near}개 (같은 이미지와 클래스, IoU ≥ {near_iou}).",
    "diagnosis.duplicate_detections.text.map": "{file}: 검출 {detections}개 중 {count}개({share_pct})가 "
    "다른 검출의 반복이다: 완전히 같은 복사본 {exact}개 (한 이미지에 최대 {most_per_image}개)와 거의 같은 복사본 {near}개 (같은 이미지와 "
    "클래스, IoU ≥ {near_iou}). 복사본은 각각 오검출이다: mAP는 주어진 대로 {map_before_3}, 복사본을 빼면 {map_after_3}.",
    "diagnosis.fix.deduplicate": "각 검출을 한 번만 써라 (완전히 같은 반복은 지우고, 클래스별로 "
    "NMS를 적용하라).",
    # --- 절 제목 ----------------------------------------------------------------------------
    "s.overview": "개요",
    "s.overview.summary": "요약",
    "s.overview.inputs": "모델과 입력 파일",
    "s.overview.parameters": "설정값",
    "s.overall": "전체 성능 비교",
    "s.detections": "검출 결과 통계",
    "s.detections.per_image": "이미지별",
    "s.disagreements": "불일치 사례 분석",
    "s.disagreements.images": "카테고리 목록이 다른 이미지",
    "s.disagreements.categories": "한 모델에서만 검출된 카테고리",
    "s.disagreements.pairs": "박스 단위 비교",
    "s.patterns": "클래스 치환 패턴",
    "s.patterns_top": "{title} ({caption})",
    "s.disagreements.boxes": "불일치한 모든 박스",
    "s.disagreements.gallery": "이미지 갤러리",
    "s.per_class": "클래스별",
    "s.report.per_class": "클래스별 AP, 오검출(False Positive), 미검출(False Negative)",
    "s.per_class.worst": "성능이 가장 낮은 클래스",
    "s.per_class.confusions": "가장 많이 혼동된 클래스",
    "s.errors": "오류 유형 (TIDE)",
    "s.causes": "원인 분석",
    "s.causes.imbalance": "학습 데이터의 클래스 불균형",
    "s.causes.support": "학습 샘플 수와 AP",
    "s.causes.evidence": "근거가 뒷받침하는 것",
    "s.glossary": "용어 목록",
    "s.glossary.methods": "방법",
    "s.findings": "주요 발견사항",
    "s.metrics": "지표",
    "s.class_agreement": "클래스별 일치도",
    "s.definitions": "정의",
    "caveats.title": "주의 사항",
    "caveats.none": "불러오기와 평가 중 경고가 없었다.",
    "caveats.tools": "도구마다 정의가 다른 부분 (이 보고서의 수치는 pycocotools를 따른다):",
    # --- 생략된 부분 --------------------------------------------------------------------------
    "absent.errors": "정답 데이터가 필요하다: 있으면 모델별 TIDE 오류 유형(Cls, Loc, Both, Dupe, "
    "Bkg, Miss)과 각 유형을 고쳤을 때 오르는 AP를 보여 준다.",
    "absent.imbalance": "학습 어노테이션이 필요하다: 있으면 학습 데이터의 불균형 지수(클래스별 최대 / 최소 샘플 수와 더 나은 지수들)를 보여 준다.",
    "absent.support": "학습 어노테이션이 필요하다: 있으면 클래스별 학습 샘플 수와 AP의 관계(Spearman rho)를 구하고, 성능 차이가 희소 "
    "클래스에서 더 큰지 검정한다.",
    "gallery_note.missing": "이미지 {image_id}{file}: 이미지 폴더에 없어 갤러리에서 뺐다.",
    "gallery_note.outside": "이미지 {image_id}{file}: 파일 이름이 이미지 폴더 밖을 가리켜 거부했다(아무것도 읽지 않음).",
    "gallery_note.not_a_file": "이미지 {image_id}{file}: 일반 파일이 아니어서 갤러리에서 뺐다.",
    "gallery_note.invalid": "이미지 {image_id}{file}: 쓸 수 없는 파일 이름(NUL 바이트 또는 심볼릭 링크 순환)이라 뺐다.",
    "gallery_note.unreadable": "이미지 {image_id}{file}: 이미지로 읽을 수 없어 뺐다.",
    "gallery_note.size_mismatch": "이미지 {image_id}{file}: 가로세로 비율이 정답 데이터의 크기와 달라 박스가 어긋날 수 있다.",
    "absent.gallery": "이미지 폴더가 있으면 카테고리 목록이 다른 모든 이미지를 두 모델의 박스(와 "
    "정답 박스)와 함께 보여 준다.",
    # --- 개요 -------------------------------------------------------------------------------
    "overview.role.a": "결과 A",
    "overview.role.b": "결과 B",
    "overview.role.gt": "정답 데이터",
    "overview.role.train": "학습 어노테이션",
    "overview.inputs.caption": "개수: 불러온 검출 수(A, B), crowd 영역을 뺀 정답 박스 수, 학습 어노테이션 수.",
    "param.score_threshold": "점수 임계값 s",
    "param.score_threshold.text": "점수 >= s인 검출만 판정 기준에서 센다",
    "param.iou_threshold": "IoU 임계값 u",
    "param.iou_threshold.text": "같은 클래스의 정답 박스와 IoU >= u로 매칭되면 맞는 검출이다",
    "param.pair_iou": "매칭 IoU",
    "param.pair_iou.text": "A 박스와 B 박스의 IoU가 이 값 이상이면 같은 객체로 본다",
    "param.iou_thresholds": "COCO IoU 임계값",
    "param.iou_thresholds.text": "mAP를 평균하는 임계값들",
    "param.max_dets": "maxDets",
    "param.max_dets.text": "이미지·카테고리당 검출 수의 COCO 상한",
    "param.n_bootstrap": "부트스트랩 재표본 수",
    "param.n_bootstrap.text": "대응 부트스트랩의 이미지 재표본 횟수 (0: 검정하지 않음)",
    "param.seed": "난수 시드",
    "param.seed.text": "부트스트랩의 난수 시드 (시드가 같으면 수치도 같다)",
    "param.alpha": "유의수준 alpha",
    "param.alpha.text": "모든 검정의 유의수준",
    "param.rare_threshold": "희소 기준",
    "param.rare_threshold.text": "학습 샘플 수가 이보다 적은 클래스는 희소 클래스다",
    "summary.top_pattern": "가장 많은 불일치: {a} 모델이 {x}라고 한 곳에서 {b} 모델은 {y}라고 했다. 박스 {swaps}개, 이미지 "
    "{images}장이며 그중 {only}장은 이것 말고 다른 차이가 없다. 정답 데이터로 보면 {b} 정답 {b_right}회, {a} 정답 {a_right}회, 둘 다 "
    "오답 {both_wrong}회, 객체 없음 {no_gt}회다.",
    "summary.no_swaps": "두 모델이 같은 박스에 다른 클래스를 낸 경우는 없다. {a} 모델만 찾은 박스 "
    "{a_only}개와 {b} 모델만 찾은 박스 {b_only}개에서만 다르다.",
    "summary.top_substitution": "가장 많은 치환: {a} 모델의 {x}가 {b} 모델에서는 {y}인 이미지가 "
    "{images}장이다. 정답 데이터가 없으므로 누가 맞았는지는 알 수 없다.",
    "summary.no_substitution": "{a} 모델과 {b} 모델은 이미지 {n}장에서 다르며, 하나가 하나로 바뀐 "
    "치환은 없다.",
    "summary.imbalance.gap_larger_on_rare": "클래스 불균형이 성능 차이의 일부를 설명한다: {b} "
    "모델이 {a} 모델보다 앞서는 폭은 학습 샘플이 적은 클래스에서 더 크다 ({facts}; 학습 데이터 최대 "
    "/ 최소 비율 {ratio}).",
    "summary.imbalance.gap_larger_on_frequent": "성능 차이는 학습 샘플이 적은 클래스에 있지 않다: "
    "{b} 모델이 {a} 모델보다 앞서는 폭은 빈도가 높은 클래스에서 더 크다 ({facts}; 학습 데이터 최대 "
    "/ 최소 비율 {ratio}).",
    "summary.imbalance.no_evidence": "클래스 불균형이 성능 차이를 설명한다는 증거가 없다: 클래스별 "
    "AP 차이는 학습 샘플 수에 따른 경향을 보이지 않는다 ({facts}; 학습 데이터 최대 / 최소 비율 "
    "{ratio}){power}.",
    "summary.imbalance.not_computable": "클래스 불균형이 성능 차이를 설명하는지는 계산할 수 없다 "
    "({facts}).",
    "summary.imbalance.untested": "클래스 불균형은 검정하지 않았다: 학습 어노테이션이 있으면 클래스별 학습 샘플 수와 AP의 관계를 구할 수 있다.",
    "support.reason.too_few_classes": "값이 있는 클래스가 3개 미만",
    "support.reason.constant_input": "한쪽 값이 모두 같음",
    # --- 전체 성능 비교 -----------------------------------------------------------------------
    "metric.map": "mAP",
    "metric.map_75_95": "mAP@[0.75:0.95]",
    "metric.map_50": "AP50",
    "metric.map_75": "AP75",
    "metric.mar_100": "AR100",
    "metric.precision": "정밀도",
    "metric.recall": "재현율",
    "metric.f1": "F1",
    "metric.classification_accuracy": "분류 정확도",
    "metric.image_exact_match": "이미지 완전 일치율",
    "def.map_75_95": "알약 대회의 지표: IoU 0.75:0.95, 간격 0.05 (임계값 5개), 모든 크기, 상위 "
    "100개에서 평균한 AP (그 임계값으로 평가한 값과 같다)",
    "note.map_75_95_missing": "mAP@[0.75:0.95]는 n/a다: 평가의 IoU 임계값에 0.75, 0.80, 0.85, "
    "0.90, 0.95가 없다. 기본 임계값(0.50:0.95)이나 0.75:0.95 간격 0.05로 평가하면 구할 수 있다.",
    "note.p_floor": "부트스트랩 재표본 {n}회에서 가능한 가장 작은 p는 2 / ({n} + 1)이다. 재표본을 "
    "늘리면 더 작은 p값을 구분할 수 있다.",
    "col.metric": "지표",
    "col.value": "값",
    "col.delta": "B − A",
    "col.ci": "신뢰구간",
    "col.ci_level": "{level:.0%} 신뢰구간",
    # --- 검출 결과 통계 -----------------------------------------------------------------------
    "detections.loaded": "결과 {side} ({name}): 검출 {n}개를 불러옴",
    "detections.images": "두 결과 모두 검출이 있는 이미지: {both}장 (전체 {total}장 중)",
    "detections.images_only": "{name} 모델에서만 검출이 있는 이미지: {n}장 {ids}",
    "col.model": "모델",
    "col.loaded": "불러온 검출",
    "col.left_out": "제외 (정답 데이터에 없는 id)",
    "col.at_operating_point": "점수 >= {score:g}인 박스",
    "per_image.caption": "두 모델이 다른 이미지별 매칭 결과.",
    # --- 불일치 사례 --------------------------------------------------------------------------
    "disagreements.intro": "{a} 모델과 {b} 모델이 다른 곳: 먼저 이미지별 카테고리 목록(두 파일을 나란히 놓고 손으로 비교하는 방식), 다음으로 "
    "박스 단위.",
    "disagreements.images.text": "이미지 {total}장 중 {n}장에서 카테고리 목록이 다르다 (이미지마다 "
    "카테고리를 집합으로 비교).",
    "disagreements.only_caption": "{name} 모델에서만 검출된 카테고리와 그 카테고리가 나온 불일치 "
    "이미지 수.",
    "pairs.counts": "두 결과 간 박스 매칭: 일치 {agree}개, 클래스 치환 {class_swap}개, {a}에만 {a_only}개, {b}에만 "
    "{b_only}개",
    "pairs.verdicts": "정답 데이터로 본 클래스 치환: {a} 정답 {a_right}, {b} 정답 {b_right}, 둘 다 "
    "오답 {both_wrong}, 객체 없음 {no_gt}{extra}",
    "pairs.both_right": ", 둘 다 정답 {n}",
    "pairs.ignored": ", crowd 영역 {n}",
    "pairs.one_sided": "{name} 모델만 찾은 박스 {boxes}개: 정답 {right}, 오답 {wrong}{errors}"
    "{ignored}",
    "pairs.errors": " ({errors})",
    "pairs.agreement": "일치도 (정확도가 아님): 매칭된 항목 중 {rate} 일치; 매칭된 박스 클래스의 Cohen's kappa {kappa}",
    "patterns.caption": "{n}개 중 상위 {shown}개; 같은 박스에서 A는 X, B는 Y",
    "patterns.caption_full": "패턴 {n}개; 같은 박스에서 A는 X, B는 Y.",
    "patterns.none": "두 모델이 같은 박스에 다른 클래스를 낸 경우는 없다.",
    "boxes.caption": "불일치한 박스 {n:,}개: 클래스 치환과 한 모델만 찾은 박스.",
    "kind.class_swap": "클래스 치환",
    "kind.a_only": "{a}만",
    "kind.b_only": "{b}만",
    "kind.agree": "일치",
    "status.TP": "정답",
    "status.FP": "오답",
    "status.ignored": "crowd 영역",
    "verdict.a_right": "{a} 정답",
    "verdict.b_right": "{b} 정답",
    "verdict.both_wrong": "둘 다 오답",
    "verdict.no_gt": "객체 없음",
    "verdict.both_right": "둘 다 정답",
    "verdict.ignored": "crowd 영역",
    "class_agreement.caption": "클래스별 일치도, 낮은 순.",
    "col.a_says": "A의 클래스 (X)",
    "col.b_says": "B의 클래스 (Y)",
    "col.swaps": "치환",
    "col.a_right": "A 정답",
    "col.b_right": "B 정답",
    "col.both_wrong": "둘 다 오답",
    "col.no_gt": "객체 없음",
    "col.images": "이미지",
    "col.only_in": "{name}에만",
    "col.model_category": "{name} 클래스",
    "col.model_score": "{name} 점수",
    "col.verdict": "판정",
    "col.a_boxes": "A 박스",
    "col.b_boxes": "B 박스",
    "col.agree": "일치",
    "col.one_sided": "한쪽만",
    "col.rate": "일치도",
    # --- 클래스별 ---------------------------------------------------------------------------
    "per_class.caption": "|ΔAP|가 큰 순 (클래스 {n}개).",
    "per_class.fp_fn_caption": "판정 기준({at})에서 클래스별 오검출과 미검출.",
    "per_class.worst_caption": "모델별로 AP가 가장 낮은 클래스 {n}개.",
    "confusions.caption": "{name}: 정답 클래스 → 예측 클래스, 상위 {n}개.",
    "confusions.note": "규칙: {convention}.",
    "confusions.none": "{name} 모델은 판정 기준에서 어떤 클래스도 다른 클래스로 혼동하지 않았다.",
    "col.category": "카테고리",
    "col.model_ap": "AP {name}",
    "col.model_stat": "{stat} {name}",
    "col.model_class": "{name} 클래스",
    "col.delta_recall": "Δ재현율",
    # --- 오류 유형 --------------------------------------------------------------------------
    "errors.intro": "모든 오검출에는 TIDE 오류 유형이 하나씩 붙고, 그것으로 설명되지 않는 놓친 정답 "
    "박스는 미검출(Miss)이다. ΔAP50은 그 유형의 오류를 모두 고쳤을 때 AP50이 오르는 양이다.",
    "errors.caption": "TIDE; ΔAP50 = 그 유형의 오류를 모두 고쳤을 때 오르는 AP50.",
    "col.error_type": "오류 유형",
    "col.model_count": "{name} 개수",
    "col.model_dap": "{name} ΔAP50",
    "error.cls": "Cls (분류 오류)",
    "error.loc": "Loc (위치 오류)",
    "error.both": "Both (분류·위치 오류)",
    "error.dupe": "Dupe (중복 검출)",
    "error.bkg": "Bkg (배경 오검출)",
    "error.miss": "Miss (미검출)",
    "error.false_pos": "FalsePos (전체 오검출)",
    "error.false_neg": "FalseNeg (전체 미검출)",
    "error.cls.definition": "다른 클래스의 정답 박스 위에 잘 놓였다 (IoU >= 0.5)",
    "error.loc.definition": "클래스는 맞지만 박스 위치가 부정확하다 (0.1 <= IoU <= 0.5)",
    "error.both.definition": "클래스도 틀리고 위치도 부정확하다",
    "error.dupe.definition": "점수가 더 높은 검출이 이미 차지한 정답 박스 위에 놓였다",
    "error.bkg.definition": "아무 객체도 없는 곳 (모든 정답 박스와 IoU < 0.1)",
    "error.miss.definition": "어떤 검출도 찾거나 설명하지 못한 정답 박스",
    "error.false_pos.definition": "모든 오검출 (ΔAP: 모두 제거했을 때; 0에서 자르지 않음)",
    "error.false_neg.definition": "찾지 못한 모든 정답 박스 (ΔAP: 모두 제거했을 때; 0에서 자르지 "
    "않음)",
    # --- 원인 분석 --------------------------------------------------------------------------
    "causes.intro": "두 모델이 왜 다른지에 대해 데이터가 말할 수 있는 것: 성능 차이 중 얼마가 "
    "위치 정확도(박스를 덜 정확하게 놓은 것) 때문인지, 학습 데이터의 클래스 불균형이 그것을 "
    "설명하는지, 그리고 무엇이 주장에 그치는지.",
    "index.imbalance_ratio": "불균형 지수",
    "index.gini": "지니 계수",
    "index.pielou_evenness": "피엘루 균등도",
    "index.effective_classes": "유효 클래스 수",
    "index.coefficient_of_variation": "변동 계수",
    "index.rare_share": "희소 클래스 비율",
    "index.imbalance_ratio.definition": "클래스별 최대 / 최소 샘플 수 (1 = 균형)",
    "index.gini.definition": "클래스별 샘플 수의 지니 계수 (0 = 균형, 1에 가까울수록 한 클래스가 "
    "지배)",
    "index.pielou_evenness.definition": "섀넌 엔트로피 / ln(K) (1 = 균형)",
    "index.effective_classes.definition": "exp(섀넌 엔트로피): 같은 빈도의 클래스 몇 개와 같은지",
    "index.coefficient_of_variation.definition": "클래스별 샘플 수의 표준편차 / 평균, 모집단 "
    "표준편차 (0 = 균형)",
    "index.rare_share.definition": "샘플 수가 {rare}개 미만인 클래스의 비율",
    "imbalance.ratio_sentence": "불균형 지수 = 최대 샘플 수 / 최소 샘플 수 = {most} "
    "({most_label}) / {least} ({least_label}) = {ratio:.2f}.",
    "imbalance.caption": "학습 어노테이션: {source} (어노테이션 {n}개).",
    "imbalance.zero": "학습 어노테이션이 없어 모든 지수에서 빠진 선언된 카테고리 ({n}개): {ids}",
    "col.index": "지수",
    "col.definition": "정의",
    "support.not_tested": "불균형과 AP: 검정하지 않았다 (학습 어노테이션이 있으면 검정할 수 있다).",
    "support.training_ratio": "학습 데이터 불균형 지수 (클래스별 최대 / 최소 샘플 수): "
    "{ratio:.2f}.",
    "support.caption": "클래스별, 학습 샘플 수가 적은 순; 희소 = {rare}개 미만.",
    "support.legend.support": "학습 어노테이션에서 그 클래스의 샘플 수",
    "support.legend.disputes": "그 클래스가 어느 쪽이든 관련된 클래스 치환과 한쪽만 찾은 박스의 "
    "수; 비율 = 그 클래스의 정답 박스당",
    "support.legend.spearman": "값이 정의된 클래스들에서 샘플 수와 지표의 순위 상관 (scipy; 양측 p)",
    "support.unsupported": "정답 박스는 있지만 학습 어노테이션이 없는 클래스 (샘플 수 0): {ids}",
    "col.support": "샘플 수",
    "col.rare": "희소",
    "col.disputes": "불일치",
    "col.dispute_rate": "불일치 비율",
    "evidence.supported": "이 파일들이 뒷받침하는 것:",
    "evidence.unsupported": "이 파일들이 뒷받침하지 않는 것:",
    "evidence.swaps": "클래스 치환 {n}개 중 정답 데이터는 {b} 모델 쪽이 {b_right}개, {a} 모델 쪽이 "
    "{a_right}개다. 둘 다 틀린 경우는 {both_wrong}개, 객체가 없는 곳은 {no_gt}개다.",
    "evidence.accuracy": "분류 정확도 (찾은 박스의 클래스가 맞는 비율): {a} {acc_a}, {b} {acc_b}; "
    "이미지 완전 일치율: {a} {exact_a}, {b} {exact_b}.",
    "evidence.architecture": "아키텍처에 의한 설명(ResNet-101의 101개 레이어와 잔차 연결, "
    'EfficientNet의 복합 스케일링이 특징을 "압축"한다는 것)은 근거가 아니다: 이 파일들에는 '
    "네트워크가 아니라 검출 결과가 들어 있다. 이를 검증하려면 통제된 실험, 즉 같은 데이터와 같은 "
    "학습에서 한 번에 하나만 바꾸는 실험이 필요하다.",
    "evidence.accuracy_undefined": '정의 없이 제시된 하나의 "정확도"(예: 97% vs 88%): 이 '
    "보고서는 대신 정의가 있는 두 가지 정확도를 제시한다.",
    "evidence.imbalance_not_cause": "클래스 불균형이 성능 차이의 원인이라는 것: 학습 샘플 수가 "
    "줄수록 클래스별 AP 차이가 커진다는 검정 결과는 없다 (클래스가 적으면 강한 경향만 보이므로, "
    "효과가 없다는 증거가 아니라 어느 쪽으로도 증거가 없다는 뜻이다).",
    "evidence.imbalance_untested": "클래스 불균형에 관한 모든 주장: 검정하려면 학습 어노테이션이 필요하다.",
    "evidence.domain": "혼동된 클래스가 왜 혼동되는지(희미한 각인, 비슷한 모양과 색상, 파인 그레인드 "
    "유사성): 그럴듯하지만, 혼동 표는 어떤 클래스가 혼동되는지를 보여 줄 뿐 그 이유는 보여 주지 "
    "않는다.",
    # --- 용어 목록 --------------------------------------------------------------------------
    "col.term": "용어",
    "col.english": "영문",
    "col.description": "설명",
    "glossary.object_detection.term": "객체 탐지",
    "glossary.object_detection.english": "Object Detection",
    "glossary.object_detection.text": "이미지에서 각 객체의 위치(박스)와 종류(클래스)를 찾는 기술",
    "glossary.false_detection.term": "오탐지",
    "glossary.false_detection.english": "False Detection",
    "glossary.false_detection.text": "정답 데이터와 맞지 않는 예측: 오검출, 또는 놓친 정답 객체",
    "glossary.tp.term": "정검출 (TP)",
    "glossary.tp.english": "True Positive",
    "glossary.tp.text": "같은 클래스의 정답 박스와 IoU >= u로 매칭된 검출",
    "glossary.fp.term": "오검출 (FP)",
    "glossary.fp.english": "False Positive",
    "glossary.fp.text": "어떤 정답 박스와도 매칭되지 않은 검출: 틀린 클래스, 부정확한 박스, 중복, "
    "배경",
    "glossary.fn.term": "미검출 (FN)",
    "glossary.fn.english": "False Negative",
    "glossary.fn.text": "어떤 검출과도 매칭되지 않은 정답 박스: 놓친 객체",
    "glossary.iou.term": "IoU",
    "glossary.iou.english": "Intersection over Union",
    "glossary.iou.text": "두 박스의 겹친 넓이 / 합친 넓이 (pycocotools의 bbox IoU)",
    "glossary.precision.term": "정밀도",
    "glossary.precision.english": "Precision",
    "glossary.precision.text": "TP / (TP + FP): 검출 중 맞는 것의 비율",
    "glossary.recall.term": "재현율",
    "glossary.recall.english": "Recall",
    "glossary.recall.text": "TP / (TP + FN): 정답 객체 중 찾은 것의 비율",
    "glossary.f1.term": "F1",
    "glossary.f1.english": "F1 score",
    "glossary.f1.text": "2 TP / (2 TP + FP + FN): 정밀도와 재현율의 조화 평균",
    "glossary.ap.term": "AP",
    "glossary.ap.english": "Average Precision",
    "glossary.ap.text": "클래스별로 101개 재현율 지점에서 평균한 정밀도 (COCO)",
    "glossary.map.term": "mAP",
    "glossary.map.english": "mean Average Precision",
    "glossary.map.text": "정답이 있는 클래스들과 IoU 0.50:0.95에서 평균한 AP (COCO)",
    "glossary.map_75_95.term": "mAP@[0.75:0.95]",
    "glossary.map_75_95.english": "mAP at IoU 0.75 to 0.95",
    "glossary.map_75_95.text": "알약 대회의 지표: IoU 0.75, 0.80, 0.85, 0.90, 0.95에서의 mAP",
    "glossary.classification_accuracy.term": "분류 정확도",
    "glossary.classification_accuracy.english": "Classification Accuracy",
    "glossary.classification_accuracy.text": "클래스와 무관하게 정답 박스와 매칭된 검출 중 정답과 "
    "클래스가 같은 비율",
    "glossary.image_exact_match.term": "이미지 완전 일치율",
    "glossary.image_exact_match.english": "Image Exact Match",
    "glossary.image_exact_match.text": "예측한 클래스 목록이 정답의 클래스 목록과 정확히 같은 "
    "이미지의 비율",
    "glossary.operating_point.term": "판정 기준",
    "glossary.operating_point.english": "Operating Point",
    "glossary.operating_point.text": "박스를 셀 때 쓰는 점수 임계값 s와 IoU 임계값 u",
    "glossary.class_swap.term": "클래스 치환",
    "glossary.class_swap.english": "Class Swap",
    "glossary.class_swap.text": "같은 박스(매칭 IoU 이상)에 두 모델이 서로 다른 클래스를 낸 경우",
    "glossary.one_sided.term": "한쪽만 찾은 박스",
    "glossary.one_sided.english": "One-sided Box",
    "glossary.one_sided.text": "한 모델은 찾고 다른 모델은 찾지 못한 박스",
    "glossary.verdict.term": "판정",
    "glossary.verdict.english": "Verdict",
    "glossary.verdict.text": "정답 데이터로 본, 불일치한 박스에서 누가 맞았는지",
    "glossary.tide.term": "TIDE 오류 유형",
    "glossary.tide.english": "TIDE Error Types",
    "glossary.tide.text": "Cls, Loc, Both, Dupe, Bkg, Miss (Bolya 외, 2020): 각 오검출과 "
    "미검출이 어떤 종류의 실수인지",
    "glossary.bootstrap.term": "대응 부트스트랩",
    "glossary.bootstrap.english": "Paired Bootstrap",
    "glossary.bootstrap.text": "이미지를 복원 추출로 다시 뽑아(두 모델에 같은 표본) 차이가 얼마나 "
    "흔들리는지 보는 방법",
    "glossary.ci.term": "신뢰구간",
    "glossary.ci.english": "Confidence Interval",
    "glossary.ci.text": "재표본의 95%에서 차이가 들어가는 범위",
    "glossary.p_value.term": "p값",
    "glossary.p_value.english": "p-value",
    "glossary.p_value.text": "두 모델이 똑같이 좋다면 이만큼 큰 차이가 얼마나 자주 나올지",
    "glossary.mcnemar.term": "McNemar 검정",
    "glossary.mcnemar.english": "McNemar's Test",
    "glossary.mcnemar.text": "두 모델 중 한 모델만 맞힌 정답 객체들에 대한 정확 검정",
    "glossary.support.term": "샘플 수",
    "glossary.support.english": "Support",
    "glossary.support.text": "한 클래스의 어노테이션 수 (학습 데이터 또는 정답 데이터에서)",
    "glossary.imbalance_ratio.term": "불균형 지수",
    "glossary.imbalance_ratio.english": "Imbalance Ratio",
    "glossary.imbalance_ratio.text": "클래스별 최대 / 최소 샘플 수",
    "glossary.spearman.term": "스피어만 상관계수",
    "glossary.spearman.english": "Spearman's Rank Correlation",
    "glossary.spearman.text": "두 값의 순위 사이의 상관 (-1에서 1)",
    "glossary.agreement.term": "일치도",
    "glossary.agreement.english": "Agreement",
    "glossary.agreement.text": "두 모델이 같은 답을 내는 비율; 정확도가 아니다",
    "glossary.kappa.term": "코헨의 카파",
    "glossary.kappa.english": "Cohen's Kappa",
    "glossary.kappa.text": "우연에 의한 일치를 보정한 일치도 (1 = 완전 일치, 0 = 우연 수준)",
    # --- 비교 방법의 정의 -----------------------------------------------------------------------
    "definition.line": "{term}: {text}",
    "definition.delta.term": "B − A",
    "definition.delta.text": "모든 차이는 결과 B에서 결과 A를 뺀 값이다",
    "definition.pairing.term": "매칭",
    "definition.pairing.text": "이미지마다 두 결과에서 점수 >= s인 박스를 점수가 높은 순으로 함께 살핀다. 아직 매칭되지 않은 박스는 상대 결과의 "
    "매칭되지 않은 박스 가운데 IoU가 가장 높고 매칭 IoU 이상인 박스와 매칭된다 (클래스 무관, 일대일). 클래스가 같으면 일치, 다르면 클래스 치환, 매칭되지 "
    "않으면 한쪽만 찾은 박스다",
    "definition.verdict.term": "판정",
    "definition.verdict.text": "판정 기준(점수 >= s, IoU >= u)에서 자기 클래스의 TP이면 맞는 박스다. 치환은 'A 정답', 'B "
    "정답', '둘 다 오답'(정답 객체가 박스와 IoU >= 0.1로 겹치지만 둘 다 TP가 아님), '객체 없음'(둘 다 배경 위) 중 하나다",
    "definition.error_types.term": "오류 유형",
    "definition.error_types.text": "TIDE의 유형: cls (박스는 맞고 클래스가 틀림), loc (클래스는 "
    "맞고 IoU 0.1-0.5), both, dupe (이미 찾은 객체의 중복), bkg (모든 객체와 IoU < 0.1), miss "
    "(어떤 검출도 설명하지 못한 객체); ΔAP50 = 그 유형을 TIDE 방식으로 고친 뒤의 AP50 − AP50",
    "definition.bootstrap.term": "부트스트랩",
    "definition.bootstrap.text": "이미지를 복원 추출로 다시 뽑고 두 결과에 같은 표본을 쓴다. 구간 = "
    "재표본 차이의 백분위수; p = 2 (1 + 작은 쪽 꼬리) / (N + 1)",
    "definition.mcnemar.term": "McNemar",
    "definition.mcnemar.text": "crowd 영역이 아닌 정답 객체마다 판정 기준에서 맞는 클래스로 찾았는지를 A와 B로 비교하고, 결과가 엇갈린 객체에 "
    "정확 이항 검정을 한다",
    "definition.agreement.term": "일치도",
    "definition.agreement.text": "일치한 쌍 / (쌍 + 한쪽만 찾은 박스); 매칭된 박스의 클래스에 대한 Cohen's kappa; 일치도는 "
    "정확도가 아니다: 두 결과가 같이 틀릴 수도 있다",
    # --- 주의 사항: 도구마다 다른 정의 ----------------------------------------------------------
    "caveat.tools.categories": "평균하는 카테고리: 여기의 mAP와 TIDE ΔAP는 정답이 있는 클래스들로 "
    "평균한다 (COCO와 같음). tidecv는 정답 없이 검출만 있는 클래스도 평균에 넣어(그 클래스는 0점) "
    "수치가 더 낮게 나온다.",
    "caveat.tools.max_dets": "maxDets: COCO mAP는 이미지·카테고리마다 점수 상위 100개의 검출만 "
    "쓴다 (pycocotools는 카테고리별로 상한을 적용한다). 이미지 단위로 상한을 두는 채점기는 검출이 "
    "많은 이미지에서 다른 수치를 낸다.",
    "caveat.tools.tide_max_dets": "TIDE: tidecv는 이미지마다 상위 100개의 검출을 쓰고, pillcmp는 "
    "COCO AP처럼 이미지·카테고리마다 상위 100개를 쓴다.",
    "caveat.tools.crowd": "crowd 영역(여러 객체를 한꺼번에 표시한 정답 영역)은 COCO처럼 검출을 흡수한다 (TP도 FP도 아님). tidecv는 "
    "그 검출에도 오류 유형을 붙인다.",
    "caveat.tools.tie_scores": "같은 점수는 COCO의 순서(점수, 이미지 id, 파일 순서)로 정렬한다. "
    "tidecv의 수정 실행은 같은 점수에서 모든 FP를 TP 앞에 두므로 수정 후 AP가 낮게 나온다.",
    "caveat.tools.accuracy": '검출기의 "정확도"에는 표준 정의가 없다: 여기의 두 정확도는 수치 '
    "옆에 정의를 적었다. 정의 없이 제시된 정확도는 이것들과 비교할 수 없다.",
    # --- 그림: 설명과 그림 안의 문구 ----------------------------------------------------------
    "figure.ap_comparison": "두 모델의 클래스별 AP, 차이 순으로 정렬.",
    "figure.pr_curves": "IoU 0.50에서의 정밀도-재현율 곡선: 전체 클래스와 성능이 가장 낮은 클래스.",
    "figure.score_histograms": "두 모델의 검출 점수 분포 (점선은 판정 기준의 점수 임계값).",
    "figure.error_breakdown": "TIDE 오류 유형: 모델별로 각 유형을 고치면 오르는 AP50.",
    "figure.support_vs_ap": "모델별 클래스의 학습 샘플 수와 AP.",
    "figure.confusion_pair": "두 모델의 혼동 관계 (정답 클래스 → 예측 클래스), 같은 색 척도.",
    "figure.class_distribution": "클래스별 학습 샘플 수.",
    # plot_*(labels=...) 의 문구: report_plots.LABELS 와 같은 키와 자리표시자
    "plot.ap_comparison.title": "클래스별 {metric}: {a} vs {b}",
    "plot.ap_comparison.xlabel": "{metric}",
    "plot.ap_comparison.ylabel": "카테고리 ({metric}의 B − A 순)",
    "plot.ap_comparison.delta": "B − A",
    "plot.ap_comparison.more_classes": "표시하지 않음: |B − A| ≤ {bound}인 카테고리 {n}개 더",
    "plot.ap_comparison.undefined": "표시하지 않음, 정답 박스가 없어 {metric} 없음: {n}개",
    "plot.ap_comparison.metric_ap": "AP (IoU 0.50:0.95)",
    "plot.ap_comparison.metric_ap_50": "AP50",
    "plot.pr_curves.title": "IoU {iou}에서의 정밀도–재현율 (모든 크기, 최대 {max_dets}개 검출)",
    "plot.pr_curves.overall": "전체 클래스 (정답이 있는 {n}개 평균)",
    "plot.pr_curves.xlabel": "재현율",
    "plot.pr_curves.ylabel": "정밀도",
    "plot.pr_curves.legend": "{name} (AP50 {ap:.3f})",
    "plot.score_histograms.title": "검출 점수",
    "plot.score_histograms.xlabel": "점수",
    "plot.score_histograms.ylabel": "검출 수 (로그 척도)",
    "plot.score_histograms.tp": "정검출 (TP)",
    "plot.score_histograms.fp": "오검출 (FP)",
    "plot.score_histograms.other": "무시됨 (crowd 영역)",
    "plot.score_histograms.all": "검출",
    "plot.score_histograms.threshold": "판정 기준: 점수 ≥ {threshold:g}",
    "plot.score_histograms.panel": "{name}: 검출 {n}개",
    "plot.error_breakdown.title": "오류 유형 (TIDE): 유형별로 고쳤을 때 오르는 AP50",
    "plot.error_breakdown.ylabel": "ΔAP50 (그 유형의 오류를 모두 고쳤을 때)",
    "plot.error_breakdown.count_note": "막대 위 숫자: 그 유형의 오류 수",
    "plot.error_breakdown.type_cls": "Cls (분류)",
    "plot.error_breakdown.type_loc": "Loc (위치)",
    "plot.error_breakdown.type_both": "Both (분류·위치)",
    "plot.error_breakdown.type_dupe": "Dupe (중복)",
    "plot.error_breakdown.type_bkg": "Bkg (배경)",
    "plot.error_breakdown.type_miss": "Miss (미검출)",
    "plot.error_breakdown.type_false_pos": "전체 FP",
    "plot.error_breakdown.type_false_neg": "전체 FN",
    "plot.error_breakdown.not_available": "n/a",
    "plot.support_vs_ap.title": "학습 샘플 수와 클래스별 {metric}",
    "plot.support_vs_ap.xlabel": "카테고리별 학습 어노테이션 수 (로그 척도)",
    "plot.support_vs_ap.ylabel": "{metric}",
    "plot.support_vs_ap.legend": "{name}: Spearman ρ = {rho:.2f} (p = {p:.2g}, 클래스 {n}개)",
    "plot.support_vs_ap.legend_undefined": "{name}: Spearman ρ n/a ({reason})",
    "plot.support_vs_ap.reason_too_few_classes": "클래스 3개 미만",
    "plot.support_vs_ap.reason_constant_input": "값이 모두 같음",
    "plot.support_vs_ap.rare": "희소: {threshold}개 미만",
    "plot.support_vs_ap.metric_ap": "AP (IoU 0.50:0.95)",
    "plot.support_vs_ap.metric_recall": "판정 기준 재현율",
    "plot.confusion_pair.title": "혼동 행렬 (점수 ≥ {score:g}, IoU ≥ {iou:g}), 같은 색 척도",
    "plot.confusion_pair.panel": "{name}",
    "plot.confusion_pair.xlabel": "예측 클래스 (id)",
    "plot.confusion_pair.ylabel": "정답 클래스",
    "plot.confusion_pair.background": "배경",
    "plot.confusion_pair.colorbar": "개수 (로그 척도)",
    "plot.confusion_pair.more_classes": "표시하지 않음, 오류가 더 적은 클래스: {n}개",
    "plot.confusion_pair.note": "마지막 행: 객체가 없는 곳의 검출; 마지막 열: 놓친 정답 박스",
    # build_gallery(labels=...) 의 문구: gallery.GALLERY_LABELS 와 같은 키와 자리표시자
    "gallery.panel_a": "A: {name}",
    "gallery.panel_b": "B: {name}",
    "gallery.panel_gt": "정답",
    "gallery.caption": "이미지 {image_id} ({file_name}): {what}",
    "gallery.alt": "이미지 {image_id}에 그린 {name_a}, {name_b}, 정답의 박스",
    "gallery.gallery_caption": "{name_a} 모델과 {name_b} 모델이 가장 많이 다른 이미지 {shown}장 (두 모델이 다른 이미지 "
    "{total}장 중). 각 이미지는 불일치한 박스 주변을 잘라 보여 준다.",
    # --- eval -------------------------------------------------------------------------------
    "eval.unnamed": "결과",
    "eval.in_memory": "메모리",
    "eval.the_ground_truth": "정답 데이터",
    "eval.title": "평가: {name}",
    "eval.header.inputs": "{name} ({results}) 평가, 정답 데이터 {gt}",
    "eval.header.sizes": "이미지 {images}장의 검출 {detections}개; 정답 박스 {gt_boxes}개, crowd 영역 {crowd}개, "
    "선언된 카테고리 {categories}개",
    "eval.coco.title": "COCO 지표",
    "eval.coco.intro": "pycocotools COCOeval.summarize()(bbox)와 같다. pycocotools가 -1을 내는 "
    "곳은 n/a.",
    "eval.op.title": "판정 기준: {at}",
    "eval.accuracy.title": "정확도 ({at})",
    "eval.per_class.title": "클래스별",
    "eval.per_class.coco": "클래스별: COCO 지표 (모든 점수)",
    "eval.per_class.op": "클래스별: 판정 기준 ({at})",
    "eval.per_class.columns": "열",
    "eval.per_class.legend_coco": "GT = crowd 영역이 아닌 정답 박스 (샘플 수); dets = 그 클래스의 검출 (모든 점수); AP = "
    "{ious}와 101개 재현율 지점에서 평균한 정밀도, 모든 크기, 이미지·클래스당 상위 {top}개; AP50/AP75 = IoU 0.50/0.75에서; {ar} = "
    "같은 IoU들에서 평균한 재현율; n/a = 그 클래스에 정답 박스가 없음.",
    "eval.per_class.legend_op": "판정 기준에서의 TP, FP, FN, P (정밀도), R (재현율), F1 (정의는 위); best F1 = 모든 "
    "검출 점수를 임계값으로 써 보았을 때의 최고 F1과 그 점수.",
    "eval.confusion.title": "혼동 행렬",
    "eval.confusion.convention": "행 = 정답 클래스, 열 = 예측 클래스, 마지막 행/열 = 배경; 점수 >= s인 검출을 클래스 무관하게 일대일로 "
    "매칭 (점수가 높은 것부터 차례로, IoU >= u); [배경, c] = 객체가 없는 곳의 c 검출, [c, 배경] = 놓친 c 정답; crowd 영역이 흡수한 검출은 "
    "제외",
    "eval.confusion.correct": "정분류 (대각선)",
    "eval.confusion.misclassified": "오분류 (대각선 밖)",
    "eval.confusion.false_detections": "오검출 (배경 행)",
    "eval.confusion.missed": "놓친 정답 (배경 열)",
    "eval.confusion.absorbed": "crowd 영역이 흡수",
    "col.cell": "칸",
    "eval.confusion.top": "가장 많은 혼동 (정답 클래스 -> 예측 클래스), 상위 {n}개:",
    "op.at": "점수 >= {score:g}, IoU >= {iou:g}",
    "op.micro": "마이크로",
    "op.macro": "매크로",
    "op.best_f1": "전체 클래스의 최고 F1 (마이크로): 점수 >= {at}에서 {f1}",
    "op.absorbed": "crowd 영역이 흡수한 검출 (TP도 FP도 아님): {n}",
    "col.precision": "정밀도",
    "col.recall": "재현율",
    "col.accuracy": "정확도",
    "col.count": "개수",
    "col.name": "이름",
    "col.dets": "검출",
    "col.best_f1": "최고 F1",
    "col.at_score": "그 점수",
    "col.gt_class": "정답 클래스",
    "col.predicted": "예측",
    "col.role": "역할",
    "col.file": "파일",
    "col.parameter": "설정",
    "col.meaning": "의미",
    "stat.definition": "{kind}, {ious}, {area}, 상위 {top}개",
    "stat.ap": "AP",
    "stat.ar": "AR",
    "stat.legend_term": "AP, AR, 상위 m개",
    "stat.legend": "AP = 101개 재현율 지점(0, 0.01, ..., 1)과 IoU 임계값들에서 평균한 정밀도를 "
    "정답이 있는 카테고리들에서 다시 평균한 값; AR = IoU 임계값들에서 평균한 최종 재현율을 정답이 "
    "있는 카테고리들에서 다시 평균한 값; 상위 m개 = 이미지·카테고리마다 점수가 가장 높은 검출 최대 "
    "m개; 크기는 정답의 'area' 필드 기준 (정확히 32²나 96²인 박스는 두 범위 모두에 속함); n/a = 그 "
    "구간에 정답이 있는 카테고리가 없음 (pycocotools는 -1을 출력)",
    "area.all": "모든 크기",
    "area.small": "작은 객체 (넓이 ≤ 32²)",
    "area.medium": "중간 객체 (32² ≤ 넓이 ≤ 96²)",
    "area.large": "큰 객체 (넓이 ≥ 96²)",
    "iou.single": "IoU {value:.2f}",
    "iou.range": "IoU {low:.2f}:{high:.2f}, 간격 {step:.2f} (임계값 {n}개)",
    "iou.list": "IoU {values}",
    "def.op.tp": "점수 >= s인 검출 중 crowd 영역이 아닌 정답 박스와 매칭된 것 (IoU >= u, 같은 카테고리, 일대일, 점수가 높은 것부터 차례로)",
    "def.op.fp": "점수 >= s인 검출 중 아무것과도 매칭되지 않은 것 (crowd 영역이 흡수한 검출은 어느 쪽에도 세지 않음)",
    "def.op.fn": "점수 >= s인 어떤 검출과도 매칭되지 않은, crowd 영역이 아닌 정답 박스 (= GT - TP)",
    "def.op.precision": "TP / (TP + FP)",
    "def.op.recall": "TP / (TP + FN)",
    "def.op.f1": "2 TP / (2 TP + FP + FN): 정밀도와 재현율의 조화 평균",
    "def.op.micro": "카테고리별 TP, FP, FN을 모두 더한 뒤 계산",
    "def.op.macro": "값이 정의되는 카테고리들에서의 단순 평균",
    "def.op.best_f1": "모든 서로 다른 검출 점수를 임계값 s로 써 보았을 때의 최고 F1 (매칭 개수에서 "
    "직접 계산; 그런 임계값 중 가장 높은 값을 보고)",
    "def.accuracy.classification_accuracy": "(a) 점수 >= s인 검출 중 클래스 무관하게 IoU >= u로 어떤 정답 박스와 일대일 "
    "매칭된 것(점수가 높은 것부터 차례로)에서, 카테고리가 정답과 같은 비율",
    "def.accuracy.image_exact_match": "(b) 예측 카테고리의 다중집합(점수 >= s, crowd 영역이 흡수한 검출 제외)이 정답 카테고리의 "
    "다중집합(crowd 영역 제외)과 같은 정답 이미지의 비율; 박스는 비교하지 않음",
    # --- gt audit ----------------------------------------------------------------------------
    "s.gt_audit": "정답 어노테이션 점검: 오검출인가, 누락된 라벨인가?",
    "absent.gt_audit": "정답 데이터가 필요하다: 있으면 두 모델이 모두 검출했지만 정답에 없는 박스(누락 가능성이 높은 어노테이션)와 두 모델이 같은 다른 "
    "클래스로 예측한 정답 박스(잘못된 라벨 가능성)를 보여 준다.",
    "gt_audit.intro": "어노테이션은 불완전할 수 있다. 두 모델이 같은 자리(IoU >= {pair_iou:g}로 매칭)에 같은 클래스의 박스를 판정 "
    "기준({at})으로 냈는데, 두 박스 모두 어떤 클래스의 정답 박스와도 IoU {near:g}에 이르지 않으면 '누락 가능성이 높은 어노테이션'으로 본다. 이런 박스는 "
    "두 모델 모두의 오검출로 집계되지만, 아무도 라벨을 달지 않은 물체일 가능성이 더 크다. 두 모델이 각각 클래스와 무관하게 판정 IoU 이상으로 매칭되는 박스로 어떤 "
    "정답 박스를 높은 점수로 같은 다른 클래스라고 예측하고, 어느 모델도 그 자리에서 어노테이션된 클래스를 찾지 않으면 '잘못된 라벨 가능성'으로 본다.",
    "gt_audit.counts": "누락 가능성이 높은 어노테이션 {missing}개({a}와 {b} 모두의 오검출로 집계됨), 잘못된 라벨 가능성 {wrong}개. "
    "눈으로 확인할 후보일 뿐, 어노테이션 오류로 입증된 것은 아니다.",
    "gt_audit.none": "찾지 못했다: 두 모델이 높은 점수로 일치하는 곳에는 모두 그 클래스의 정답 박스가 있다.",
    "gt_audit.col.missing": "누락 가능성",
    "gt_audit.col.wrong": "잘못된 라벨 가능성",
    "gt_audit.classes_caption": "클래스별, 사례가 많은 순 (누락 가능성: 두 모델이 예측한 클래스, "
    "잘못된 라벨 가능성: 어노테이션된 클래스).",
    "gt_audit.legend.missing": "두 모델이 일치한 박스(같은 클래스, 판정 기준 이상의 점수) 중 근처에 어떤 클래스의 정답 박스도 없는 것",
    "gt_audit.legend.wrong": "이 클래스의 정답 박스 중 두 모델이 높은 점수로 같은 다른 클래스라고 "
    "예측한 것",
    "gt_audit.col.image": "이미지",
    "gt_audit.col.score": "점수 {name}",
    "gt_audit.col.box": "박스 {name} (x, y, w, h)",
    "gt_audit.missing_caption": "누락 가능성이 높은 어노테이션 {total}개 중 가장 확실한 {n}개 (두 "
    "점수 중 낮은 쪽 순).",
    "gt_audit.col.both_say": "두 모델의 예측",
    "gt_audit.col.gt_ids": "정답 어노테이션 id",
    "gt_audit.wrong_caption": "(어노테이션된 클래스, 두 모델이 예측한 클래스)별 잘못된 라벨 가능성, "
    "많은 순.",
    "gt_audit.col.actual": "{name} (실제)",
    "gt_audit.col.estimate": "{name} (추정)",
    "gt_audit.estimate_caption": "추정치이며 실제 수치가 아니다: 누락 가능성이 높은 박스 {n}개의 검출을 무시하고(COCO가 무시 영역의 검출을 "
    "다루듯 TP도 FP도 아님) 다시 계산한 주요 지표다. 실제 수치는 전체 성능 비교의 수치다.",
    "gt_audit.estimate_note": "완전한 정답이라면 얻었을 값의 추정치다: 이 박스들을 오검출로 세지 않을 뿐이다. 완전한 정답은 이들을 찾은 물체로도 "
    "세고(재현율 상승) 한 모델만 찾은 물체를 더할 수도 있다. 믿기 전에 사례를 눈으로 확인하라.",
    # --- 진단: 카테고리 id
    "diagnosis.category_offset.title": "카테고리 id가 일정한 값만큼 밀려 있다",
    "diagnosis.category_offset.text": "{file}: 모든 카테고리 id가 {reference}의 id와 {offset:+g}만큼 "
    "차이 난다{k_number}. 되돌리면 그곳의 박스와 매칭된 박스 {matched}개 중 {explained:.0%}의 "
    "클래스가 일치하고, 그대로는 {explained_as_given:.0%}만 일치한다.",
    "diagnosis.category_offset.k_number": " (dl_idx(= K-번호 − 1) 대신 K-번호를 썼다)",
    "diagnosis.category_offset.fix": "{option} 옵션으로 불러오라 (또는 파일에 정답의 id인 dl_idx를 "
    "써라).",
    "diagnosis.category_class_index.title": "카테고리 id가 검출기의 클래스 인덱스다",
    "diagnosis.category_class_index.text": "{file}: 카테고리 id가 {reference}의 id가 아니라 "
    "검출기의 클래스 인덱스(클래스를 세는 작은 정수)다. 카테고리 목록으로 바꾸면 그곳의 박스와 "
    "매칭된 박스 {matched}개 중 {explained:.0%}의 클래스가 일치하고, 그대로는 "
    "{explained_as_given:.0%}만 일치한다.",
    "diagnosis.category_class_index.fix": "{option} 옵션으로 불러오거나, 파일을 쓰기 전에 클래스 "
    "인덱스를 카테고리 id(모델 학습에 쓴 카테고리 목록)로 바꿔라.",
    "diagnosis.category_permutation.title": "카테고리 id가 다른 클래스 순서를 따른다",
    "diagnosis.category_permutation.text": "{file}: 카테고리 id가 {reference}와 다른 클래스 순서를 "
    "따른다. 박스에서 읽어 낸 일대일 대응(id {mapped_ids}개)을 적용하면 그곳의 박스와 매칭된 박스 "
    "{matched}개 중 {explained:.0%}의 클래스가 일치하고, 그대로는 {explained_as_given:.0%}만 "
    "일치한다.",
    "diagnosis.category_permutation.fix": "{option} 옵션으로 불러오거나, 모델 학습에 쓴 클래스 "
    "목록을 정답의 목록과 대조하라. pillcmp doctor --write-map으로 대응표를 저장해 검토할 수 있다.",
    "diagnosis.category_ids.map_change": " mAP@[.5:.95]: 그대로 {map_before:.3f}, 대응표 적용 후 "
    "{map_after:.3f}.",
    # --- 원인: 위치 정확도, 더 엄격한 IoU의 TIDE, 정직한 통계 --------------------------------
    "corr.facts": "Spearman rho = {rho:.2f}, {p}{holm}, 클래스 {n}개{few}",
    "corr.holm": ", Holm 보정 {p}",
    "corr.few": ", {limit}개 미만",
    "corr.power": "; 클래스 {n}개로는 |rho| >= {rho:.2f}인 상관만 드러낼 수 있다 (검정력 80%, "
    "유의수준 {alpha:.0%}, Fisher z 근사)",
    "sentence.dispute.count": "; {what} ({facts})",
    "sentence.dispute.above": ", 그 {n}개 중 {above}개는 학습 샘플 수가 중앙값보다 많다",
    "dispute.count.disputes_on_frequent": "불일치 개수 자체는 학습 샘플 수가 많을수록 많지만, "
    "빈도가 높은 클래스는 불일치가 생길 테스트 객체도 더 많다",
    "dispute.count.disputes_on_rare": "불일치 개수는 학습 샘플 수가 많을수록 적다",
    "dispute.count.no_evidence": "불일치 개수가 학습 샘플 수를 따른다는 증거가 없다",
    "summary.cause.localization": "성능 차이의 대부분은 위치 정확도다: {better} 모델과 {worse} "
    "모델의 mAP 차이 {delta:.3f} 중 {share:.0%}가 IoU {loose:.2f}보다 엄격한 기준에서 생긴다 (IoU "
    "{loose:.2f}에서의 ΔAP = {delta_loose:.3f}): {better} 모델의 박스가 객체에 더 꼭 맞는다.",
    "summary.cause.tide": "IoU 0.50에서 TIDE의 수정으로 본 성능 차이의 가장 큰 원인은 {cause}이다: "
    "그 오류를 고치면 {worse} 모델이 {better} 모델보다 AP50을 {value:.3f} 더 얻는다{part}; mAP 차이 "
    "{delta:.3f} 중 {share:.0%}는 IoU {loose:.2f}보다 엄격한 기준에서 생긴다.",
    "summary.cause.tide_share": " (AP50 차이의 {tide_share:.0%})",
    "summary.cause.none": "두드러진 원인이 하나로 정해지지 않는다: {better} 모델과 {worse} 모델의 "
    "mAP 차이 {delta:.3f} 중 {share:.0%}가 IoU {loose:.2f}보다 엄격한 기준에서 생기며, 어떤 TIDE "
    "오류 유형도 {worse} 모델에 {better} 모델보다 더 큰 손해를 주지 않는다.",
    "summary.cause.no_gap": "두 결과의 mAP가 같다: 설명할 성능 차이가 없다.",
    "summary.cause.undefined": "성능 차이가 어디서 오는지 계산할 수 없다 (정의되지 않는 AP가 있다).",
    "cause.localization": "위치 정확도 (클래스는 맞지만 박스를 덜 정확하게 놓음)",
    "cause.classification": "분류 (잘 놓인 박스에 틀린 클래스)",
    "cause.duplicates": "중복 검출",
    "cause.background": "배경 오검출",
    "cause.missed": "놓친 객체",
    "s.causes.localization": "위치 정확도: IoU 임계값별 AP",
    "localization.text": "Δ = mAP(B) − mAP(A) = {delta:+.4f}는 IoU 임계값별 ΔAP의 평균이다. 가장 "
    "느슨한 임계값 IoU {loose:.2f}에서 ΔAP = {delta_loose:+.4f}: 검출과 분류가 만드는 부분이다. "
    "나머지 Δ_loc = Δ − ΔAP({loose:.2f}) = {delta_loc:+.4f}는 IoU가 엄격해질수록 한 모델의 AP가 "
    "얼마나 더 빨리 떨어지는지, 즉 위치 정확도다. 위치 정확도 비율 = Δ_loc / Δ = {share}.",
    "localization.no_share": "n/a (차이 없음)",
    "localization.caption": "IoU 임계값별 AP: 그 임계값에서의 pycocotools 정밀도를 모든 크기, 상위 "
    "{top}개로 101개 재현율 지점과 정답이 있는 클래스들에서 평균한 값; 한 열의 평균이 그 모델의 "
    "mAP다.",
    "localization.matched_caption": "IoU {iou:.2f}에서 각 모델의 참 양성이 매칭된 정답 박스와 "
    "이루는 IoU (모든 점수, 이미지·클래스마다 상위 {top}개).",
    "localization.tide_note": "IoU 0.50의 TIDE는 IoU 0.6인 박스도 찾은 것으로 세므로 이것을 보지 "
    "못한다; 오류 유형 절에서 IoU {iou:.2f}의 TIDE를 함께 보인다.",
    "col.iou_threshold": "IoU 임계값",
    "col.mean": "평균",
    "col.matched": "참 양성",
    "errors.strict_intro": "IoU {iou:.2f}에서 다시 본 오류 유형: IoU >= {iou:.2f}일 때만 찾은 "
    "것으로 세므로, 느슨하게 놓인 박스가 Loc 오류가 된다 (유형 규칙은 위와 같고 0.5 대신 "
    "{iou:.2f}을 쓴다).",
    "errors.strict_caption": "IoU {iou:.2f}의 TIDE; ΔAP = 그 유형의 오류를 모두 고쳤을 때 오르는 "
    "IoU {iou:.2f}의 AP.",
    "col.model_dap_at": "{name} ΔAP{pct}",
    "param.tide_iou": "엄격한 TIDE IoU",
    "param.tide_iou.text": "두 번째 TIDE 분석의 IoU (IoU 0.50에서는 찾았지만 느슨하게 놓인 박스가 "
    "여기서 Loc 오류로 드러난다)",
    "glossary.localization_share.term": "위치 정확도 비율",
    "glossary.localization_share.english": "Localization share",
    "glossary.localization_share.text": "Δ_loc / Δ: mAP 차이 중 IoU 0.50보다 엄격한 기준에서 생기는 "
    "비율 (Δ_loc = Δ − ΔAP50)",
    "glossary.holm.term": "Holm 보정",
    "glossary.holm.english": "Holm–Bonferroni",
    "glossary.holm.text": "여러 검정을 함께 읽을 때 하나라도 잘못된 발견이 나올 확률이 유의수준을 "
    "넘지 않도록 p값을 보정하는 방법",
    "definition.localization.term": "위치 정확도 비율",
    "definition.localization.text": "Δ = mAP(B) − mAP(A) = IoU 임계값 t별 ΔAP_t의 평균; Δ_loose = "
    "가장 느슨한 t(0.50)에서의 ΔAP: 검출과 분류; Δ_loc = Δ − Δ_loose: IoU가 엄격해질수록 한 모델의 "
    "AP가 얼마나 더 빨리 떨어지는지; 비율 = Δ_loc / Δ (Δ ≈ 0이면 n/a). 주된 원인: 비율이 0.5 "
    "이상이면 위치 정확도, 아니면 더 나쁜 모델에서 더 좋은 모델보다 ΔAP50이 가장 큰 TIDE 유형 "
    "(cls, dupe, bkg, miss, loc + both)",
    "definition.statistics.term": "증거 없음",
    "definition.statistics.text": "유의하지 않은 검정은 효과가 없다는 뜻이 아니라 효과의 증거가 "
    "없다는 뜻이다: 그런 문장마다 신뢰구간이나, 데이터가 검정력 80%로 드러낼 수 있는 가장 작은 "
    "|rho|를 함께 적는다 (Fisher z: tanh((z(1 − α/2) + z(0.8)) / √(n − 3))); 학습 샘플 수 분석의 "
    "Spearman 검정들은 함께 읽으므로 Holm 보정 p값으로 판단한다",
    "figure.ap_by_iou": "두 모델의 IoU 임계값별 AP: 한 모델이 박스를 덜 정확하게 놓으면 IoU가 "
    "엄격해질수록 차이가 커진다.",
    "figure.matched_iou": "각 모델의 참 양성이 정답 박스와 이루는 IoU (점선: 중앙값).",
    "plot.ap_by_iou.title": "IoU 임계값별 AP: {a} vs {b}",
    "plot.ap_by_iou.xlabel": "IoU 임계값",
    "plot.ap_by_iou.ylabel": "AP (정답이 있는 클래스들의 평균)",
    "plot.ap_by_iou.legend": "{name} (mAP {map:.3f})",
    "plot.ap_by_iou.gap": "B − A",
    "plot.ap_by_iou.competition": "대회 지표 mAP@[0.75:0.95]",
    "plot.ap_by_iou.share": "성능 차이 중 위치 정확도 비율: {share:.0%} (IoU {loose:.2f}에서의 "
    "ΔAP: {delta_loose:+.3f})",
    "plot.matched_iou.title": "매칭된 박스의 IoU (IoU {iou:.2f}에서의 참 양성)",
    "plot.matched_iou.xlabel": "매칭된 정답 박스와의 IoU",
    "plot.matched_iou.ylabel": "참 양성 수",
    "plot.matched_iou.legend": "{name}: 중앙값 {median:.3f} (박스 {n}개)",
    # --- without a ground truth: agreement of two result files (sections/agreement.py) -----
    "meta.input.class_map": "클래스 이름 파일",
    "agreement_report.what": "정답 데이터가 없으므로 이 보고서는 두 모델({a}, {b})을 서로 비교한다: "
    "어느 쪽이 맞는지가 아니라, 두 모델이 어디서 일치하고 어디서 갈리는지를 보여 준다.",
    "agreement_report.rate": "찾은 객체 {items}개(매칭된 박스 쌍, 또는 한 모델만 찾은 박스) 중 "
    "{agree}개({rate})가 일치한다: 같은 자리, 같은 클래스. 매칭된 박스 클래스의 Cohen's kappa는 "
    "{kappa}.",
    "agreement_report.top_pattern": "가장 흔한 불일치: 같은 박스에 {a} 모델은 {x}, {b} 모델은 {y} 클래스를 "
    "주었다 (박스 {n}개, 이미지 {images}장). 클래스 치환은 모두 {swaps}개, 패턴 {patterns}가지.",
    "agreement_report.no_swaps": "두 모델({a}, {b})이 같은 박스에 서로 다른 클래스를 준 경우는 "
    "없다.",
    "agreement_report.one_sided": "{a}만 찾은 박스 {a_only}개, {b}만 찾은 박스 {b_only}개.",
    "agreement_report.training": "학습 데이터: 불균형 지수 {most} / {least} = {ratio:.2f} (클래스별 "
    "최대 / 최소 어노테이션 수), 지니 계수 {gini}; 희소 클래스 {rare}개 (어노테이션 {threshold}개 "
    "미만).",
    "agreement_report.on_rare": "불일치 {total}건 중 {on_rare}건({share})이 희소 클래스와 관련되며, "
    "희소 클래스는 전체 박스의 {base}를 차지한다. 두 모델은 희소 클래스가 관련된 객체의 {rate_rare}, "
    "나머지 객체의 {rate_frequent}에서 일치한다.",
    "agreement_report.col.boxes": "박스",
    "agreement_report.col.model_boxes": "{name} 박스",
    "agreement_report.patterns_caption": "패턴 {n}가지: 같은 박스에 {a} 모델은 X, {b} 모델은 Y를 준 "
    "경우, 박스가 많은 순.",
    "agreement_report.patterns_text": "클래스 치환은 한 객체(매칭 IoU 이상으로 매칭된 두 박스)에 "
    "두 모델({a}, {b})이 서로 다른 클래스를 준 경우다. 두 클래스로 묶으면:",
    "agreement_report.class_counts_caption": "클래스별 점수 >= {score:g}인 박스 수, 많은 순. 일치, "
    "치환, 한쪽만은 그 클래스가 관련된 매칭 항목 수.",
    "agreement_report.class_counts_caption_rare": "클래스별 점수 >= {score:g}인 박스 수와 학습 "
    "어노테이션 수, 학습 어노테이션이 적은 순 (희소: {rare}개 미만). 일치, 치환, 한쪽만은 그 "
    "클래스가 관련된 매칭 항목 수.",
    "agreement_report.one_sided_caption": "한 모델만 찾은 박스가 있는 클래스 {n}개, 많은 순.",
    "agreement_report.images_text": "이미지 {total}장 중 {n}장에 불일치(클래스 치환 또는 한 모델만 "
    "찾은 박스)가 있다 (많은 순). 나머지 {agreeing}장에서는 모든 박스가 일치한다.",
    "agreement_report.rare_caption": "희소 클래스 {n}개 (학습 어노테이션 {rare}개 미만).",
    "agreement_report.legend.disputes": "그 클래스가 어느 한쪽에 있는 클래스 치환과 그 클래스의 "
    "한쪽만 찾은 박스",
    "agreement_report.rare_patterns_caption": "희소 클래스가 한쪽에 있는 치환 패턴 {n}가지.",
    "agreement_report.role.class_map": "클래스 이름 파일",
    "agreement_report.class_map": "카테고리 이름은 클래스 이름 파일 {file}{columns}에서 가져왔다: "
    "이름 {names}개, 모델이 쓰는 클래스 {total}개 중 {named}개에 이름이 있다.",
    "agreement_report.class_map.columns": " (열 {columns})",
    "agreement_report.class_map.missing": "클래스 이름 파일에 이름이 없는 클래스 (id로 표시): {ids}",
    "agreement_report.inputs_caption": "개수: 불러온 검출 (A, B), 학습 어노테이션, 클래스 이름 "
    "파일의 이름 수.",
    "agreement_report.param.score": "점수 임계값 s",
    "agreement_report.param.score.text": "점수 >= s인 박스만 매칭하고 센다",
    "agreement_report.s.per_class": "클래스별 박스 수",
    "agreement_report.s.agreement": "박스 단위 비교: 두 모델이 갈리는 곳",
    "agreement_report.s.one_sided": "한 모델만 찾은 박스",
    "agreement_report.s.images": "불일치가 있는 이미지",
    "agreement_report.no_gallery": "--images(사진 폴더)를 주면 불일치가 있는 이미지마다 두 모델의 "
    "박스를 그려 여기에 보여 준다.",
    "agreement_report.s.imbalance": "학습 데이터의 클래스 불균형",
    "agreement_report.s.rare": "희소 클래스에서의 불일치",
    "agreement_report.indices_note": "불균형 지수는 양 끝의 두 클래스에만 의존한다. 지니 계수, "
    "균등도, 유효 클래스 수는 분포 전체를 나타낸다.",
    "agreement_report.untrained": "모델이 쓰지만 학습 어노테이션이 없는 클래스 (샘플 수 0, 희소로 "
    "셈): {ids}",
    "agreement_report.rare_note": "희소 클래스의 불일치 비율이 박스 비율보다 높으면 두 모델이 "
    "학습이 적은 클래스에서 더 자주 갈린다는 뜻이다. 그 클래스에서 어느 모델이 맞는지는 정답 "
    "데이터가 있어야 알 수 있다.",
    "agreement_report.caveats.none": "불러오는 중 경고가 없었다.",
    "agreement_report.caveat.agreement": "일치도는 정확도가 아니다: 두 모델이 같은 박스에 똑같이 "
    "틀린 클래스를 주거나 같은 객체를 둘 다 놓칠 수 있으며, 이런 경우는 여기에 드러나지 않는다.",
    "agreement_report.caveat.ground_truth": "이 이미지들의 정답 데이터(--gt)를 주면 모든 불일치에서 "
    "어느 모델이 맞는지와 각 모델의 정확도도 보고한다.",
    "figure.class_counts": "두 모델의 클래스별 박스 수 (동작점 점수 기준, 막대 옆은 B − A).",
    "figure.swap_heatmap": "클래스 치환: 같은 박스에서 한 모델의 클래스(행)와 다른 모델의 "
    "클래스(열). 치환에 관련된 클래스만 표시.",
    "gallery_note.box_outside": "이미지 {image_id}{file}: 일부 박스가 사진({size}) 밖에 있다. 검출 "
    "좌표가 이 사진의 픽셀 좌표가 아니다 (이미지 크기가 다른가?). 사진 가장자리에서 잘라 그렸다.",
    "plot.swap_heatmap.title": "클래스 치환: {a}의 클래스(행)와 {b}의 클래스(열), 박스 수",
    "plot.swap_heatmap.xlabel": "{b}의 클래스",
    "plot.swap_heatmap.ylabel": "{a}의 클래스",
    "plot.swap_heatmap.colorbar": "박스 수",
    "plot.swap_heatmap.more_classes": "표시하지 않음: 다른 클래스의 치환 {n}개",
    "plot.class_counts.title": "클래스별 박스 수 (점수 ≥ {score:g}): {a} 대 {b}",
    "plot.class_counts.xlabel": "박스 수",
    "plot.class_counts.label_support": "{label} (학습 {support})",
    "plot.class_counts.more_classes": "표시하지 않음: |A − B| ≤ {bound}인 클래스 {n}개",
    "col.image": "이미지",
    "per_image.text": "이미지 {total:,}장 중 {agree:,}장에서는 두 모델이 모든 박스에 같은 클래스를 냈다. 아래는 두 모델이 다른 이미지 "
    "{n:,}장이다 (일치도가 낮은 순).",
    "per_image.text_all": "이미지 {total:,}장 모두에서 두 모델이 모든 박스에 같은 클래스를 냈다.",
    "per_image.legend.rate": "그 이미지에서 일치한 쌍 / (쌍 + 한 모델만 찾은 박스)",
    "pairs.intro": "두 모델의 박스(점수 >= s)를 이미지마다 서로 매칭한다. 두 모델의 박스를 점수가 높은 순으로 함께 살피며, 아직 매칭되지 않은 박스는 "
    "상대 모델의 매칭되지 않은 박스 가운데 IoU가 매칭 IoU 이상이면서 가장 높은 박스와 클래스에 관계없이 매칭된다. 클래스가 같으면 일치, 다르면 클래스 치환이고, "
    "매칭되지 않은 박스는 한 모델만 찾은 박스다.",
    "col.gt_has": "그중 정답에 있는 것",
    "gt.none": "없음",
    "list_verdict.a_right": "{a} 정답",
    "list_verdict.b_right": "{b} 정답",
    "list_verdict.each_partly": "둘 다 일부 정답",
    "list_verdict.both_wrong": "둘 다 오답",
    "list_verdict.no_gt": "정답 데이터에 없는 이미지",
    "differing.legend.gt_has": "한 모델만 낸 카테고리 중 그 이미지의 정답 데이터에 있는 것",
    "differing.legend.verdict": "서로 다른 카테고리에 대해 정답 데이터가 어느 목록의 손을 들어 주는가: 정답 = 그 모델만 낸 카테고리는 모두 "
    "정답에 있고 상대 모델만 낸 것은 하나도 없음; 둘 다 일부 정답 = 두 모델 모두 상대에게 없는 맞는 카테고리를 냄; 둘 다 오답 = 그중 어느 것도 정답에 없음",
    "col.model_says": "{name}의 클래스",
    "col.swap_boxes": "박스",
    "col.substitution_images": "이것만 다른 이미지",
    "col.model_right": "{name} 정답",
    "col.no_object": "객체 없음",
    "s.report.patterns": "가장 많은 불일치",
    "patterns.caption_merged": "불일치 {n:,}가지 (A는 한 클래스, B는 다른 클래스), 박스가 많은 순.",
    "patterns.legend.boxes": "클래스 치환: 같은 박스(매칭 IoU 이상으로 매칭됨)에 A는 이 클래스, B는 저 클래스를 냄; 이미지 = 그 박스들이 "
    "있는 이미지 수",
    "patterns.legend.substitution": "카테고리 목록이 이 카테고리 하나만 다른 이미지 (A는 X, B는 Y, 나머지는 같음); 박스가 0인 행 = "
    "그 이미지에서는 두 클래스가 서로 다른 박스에 있음",
    "col.difference": "차이",
    "boxes.legend.verdict": "클래스 치환은 정답 데이터가 확인해 준 쪽('{a} 정답', '{b} 정답', '둘 다 오답', '객체 없음'); 한 모델만 "
    "낸 박스는 맞는 박스면 '<상대 모델> 놓침', 오검출이면 TIDE 오류 유형과 함께 '<모델> 오답 (유형)'",
    "verdict.missed": "{name} 놓침",
    "verdict.one_wrong": "{name} 오답",
    "verdict.one_wrong_type": "{name} 오답 ({error})",
    "imbalance.ratio_note": "이 비율은 양 끝의 두 클래스에만 의존한다. 지니 계수, 균등도, 유효 클래스 수는 분포 전체를 나타낸다. 어느 쪽도 "
    "불균형이 결과를 설명하는지는 말해 주지 않는다: 다음 절에서 그것을 검정한다.",
    "gallery.swaps_one": "클래스 치환 1개",
    "gallery.swaps_many": "클래스 치환 {n}개",
    "gallery.only_one": "{name}만 찾은 박스 1개",
    "gallery.only_many": "{name}만 찾은 박스 {n}개",
    "gallery.join": ", ",
    "gallery.legend_right": "정답",
    "gallery.legend_wrong": "오답",
    "gallery.legend_missed": "놓침 (찾지 못한 정답 박스)",
    "gallery.legend_disputed": "굵은 선: 불일치한 박스",
    "gallery.audit_caption": "이미지 {image_id} ({file_name}): {what}",
    "gallery.audit_missing_one": "두 모델이 일치했지만 그 자리에 정답 박스가 없는 박스 1개 (클래스 {categories})",
    "gallery.audit_missing_many": "두 모델이 일치했지만 그 자리에 정답 박스가 없는 박스 {n}개 (클래스 "
    "{categories})",
    "gallery.audit_wrong_one": "두 모델이 다른 클래스라고 한 정답 박스 1개 (라벨 → 두 모델의 클래스: {pairs})",
    "gallery.audit_wrong_many": "두 모델이 다른 클래스라고 한 정답 박스 {n}개 (라벨 → 두 모델의 클래스: "
    "{pairs})",
    "gallery.audit_alt": "이미지 {image_id}의 점검 사례 주변에 그린 {name_a}, {name_b}, 정답의 박스",
    "gallery.audit_gallery_caption": "어노테이션 점검에서 가장 확실한 사례가 있는 이미지 {shown}장 (전체: 누락 "
    "가능성이 높은 어노테이션 {missing}개, 잘못된 라벨 가능성 {wrong}개, 이미지 {total}장). 이미지마다 사례 "
    "주변을 잘라 보여 준다. 굵은 박스가 사례이고, 정답 패널은 그 자리에 라벨된 것을 보여 준다.",
    "gallery.legend_case": "굵은 선: 점검 사례",
    "gallery.legend_unlabelled": "점선 (정답): 두 모델의 박스, 그 자리에 라벨 없음",
    # --- lrp
    "eval.lrp.title": "최적 LRP (IoU {iou:g}, 낮을수록 좋다)",
    "col.lrp": "LRP 오류",
    "def.lrp.olrp": "oLRP: 클래스마다 모든 점수 임계값 중 가장 낮은 LRP = (TP마다 (1 - IoU)/(1 - {iou:g})의 "
    "합 + FP + FN) / (TP + FP + FN) (Oksuz 외 2021). 0이면 완벽하고 1이면 하나도 찾지 못한 것이다. "
    "정답 박스가 있는 클래스의 평균",
    "def.lrp.olrp_loc": "위치 오차: 클래스별 oLRP 임계값에서 TP의 (1 - IoU)/(1 - {iou:g}) 평균",
    "def.lrp.olrp_fp": "오검출: 그 임계값에서 FP / (TP + FP) = 1 - 정밀도",
    "def.lrp.olrp_fn": "미검출: 그 임계값에서 FN / 정답 = 1 - 재현율",
    "lrp.thresholds_note": "클래스 {total}개 중 {n}개에 LRP를 최소로 만드는 점수 임계값이 있다 (클래스별 값과 "
    "F1 최적 임계값은 JSON 출력에 있다). 'pillcmp eval --thresholds-out FILE'로 저장하고 "
    "'pillcmp convert' 또는 'pillcmp predict'에 '--class-thresholds FILE'을 주면 그 임계값에서 제출 "
    "파일을 만든다.",
    # --- calibration
    "s.overall.calibration": "보정(calibration): 점수를 믿을 수 있는가?",
    "calibration.text": "보정은 점수가 말하는 만큼 맞는지를 본다. 점수가 0.8 안팎인 검출 중 약 80 %가 "
    "맞는가? 매칭에서 세는 모든 검출(모든 크기, 점수 임계값 없음)은 IoU {iou:.2f}에서 참 양성이면 맞은 "
    "것이다. 검출을 점수 구간 {n_bins}개({strategy})로 나누고, D-ECE(검출 기대 보정 오차, Küppers 외 "
    "2020)는 각 구간의 |정밀도 − 평균 점수|를 그 구간의 검출 비율로 가중 평균한 값이다. 0이 완벽하며 "
    "낮을수록 좋다.",
    "calibration.strategy.equal_count": "구간마다 검출 수가 같은 등빈도 구간",
    "calibration.strategy.equal_width": "등간격 구간",
    "calibration.finding.a_better": "{a}의 점수가 더 믿을 만하다: D-ECE {ece_a:.3f}, {b}는 "
    "{ece_b:.3f} (B − A {delta:+.3f}, {level:.0%} 구간 {low:+.3f} ~ {high:+.3f}, 이미지 단위 대응 "
    "부트스트랩 {n}회).",
    "calibration.finding.b_better": "{b}의 점수가 더 믿을 만하다: D-ECE {ece_b:.3f}, {a}는 "
    "{ece_a:.3f} (B − A {delta:+.3f}, {level:.0%} 구간 {low:+.3f} ~ {high:+.3f}, 이미지 단위 대응 "
    "부트스트랩 {n}회).",
    "calibration.finding.no_difference": "어느 모델의 점수가 더 믿을 만하다고 할 수 없다: "
    "D-ECE {a} {ece_a:.3f}, {b} {ece_b:.3f} (B − A {delta:+.3f}, {level:.0%} 구간 {low:+.3f} ~ "
    "{high:+.3f}이 0을 포함; 이미지 단위 대응 부트스트랩 {n}회).",
    "calibration.finding.not_tested": "D-ECE {a} {ece_a:.3f}, {b} {ece_b:.3f} (B − A "
    "{delta:+.3f}); 차이가 실제인지는 검정하지 않았다(부트스트랩 없음).",
    "calibration.undefined": "보정을 계산할 수 없다: 구간에 넣을 검출이 없는 모델이 있다.",
    "calibration.caption": "모델별 D-ECE. 평균 점수 − 정밀도 > 0: 과신(점수가 실제보다 높음), "
    "< 0: 과소 신뢰.",
    "calibration.class_caption": "두 모델 모두 검출이 {min}개 이상인 클래스의 클래스별 D-ECE, 차이가 "
    "큰 순.",
    "col.ece": "D-ECE",
    "col.overconfidence": "평균 점수 − 정밀도",
    "figure.calibration": "두 모델의 신뢰도 다이어그램: 점수 구간마다 평균 점수와 참 양성 비율. 점선 "
    "대각선 위에서는 점수만큼 정확히 맞는다.",
    "plot.calibration.title": "신뢰도 다이어그램: {a} 대 {b} (IoU {iou:.2f}에서 참 양성, "
    "{strategy} 구간 {n_bins}개)",
    "plot.calibration.xlabel": "구간의 평균 점수 (신뢰도)",
    "plot.calibration.ylabel": "구간 검출 중 참 양성 비율 (정밀도)",
    "plot.calibration.legend": "{name}: D-ECE {ece:.3f}",
    "plot.calibration.diagonal": "완벽한 보정",
    "plot.calibration.strategy_equal_count": "등빈도",
    "plot.calibration.strategy_equal_width": "등간격",
    "plot.calibration.note": "표식 크기: 구간의 검출 수. 대각선 위: 과소 신뢰",
    "col.calibration_detections": "집계한 검출 수",
    # --- lrp in the comparison (overall.lrp, the compare command's lines) -------------------
    "s.overall.lrp": "최적 LRP: 클래스별 최적 점수 임계값에서의 오류",
    "lrp.text": "LRP(Localisation Recall Precision 오류, Oksuz 외 2018, 2021)는 한 점수 임계값에서 "
    "검출기의 모든 오류를 하나의 수로 센다. 참 양성은 IoU τ = {iou:g}에서 매칭하고 각각 위치 오차 "
    "(1 − IoU)/(1 − τ)만큼 비용이 든다(IoU가 τ인 박스는 미검출과 같은 비용). 오탐지(FP)와 미검출(FN)은 "
    "각각 1이고, 합을 TP + FP + FN으로 나눈다. 0은 완벽한 검출기, 1은 아무것도 찾지 못한 것이다. "
    "oLRP는 클래스마다 모든 점수 임계값 중 가장 낮은 LRP이며, 정답 박스가 있는 클래스의 평균이다. "
    "낮을수록 좋다. 클래스별 최적점에서의 구성 요소: 위치 오차(TP의 (1 − IoU)/(1 − τ) 평균), FP(1 − "
    "정밀도), FN(1 − 재현율). AP는 모든 임계값에 걸쳐 평균하지만, oLRP는 팀이 실제로 제출할 임계값에서 "
    "모델을 평가하고 그곳에 어떤 오류가 남는지 알려 준다.",
    "lrp.finding.a_better": "최적 임계값에서 {a}의 오류가 더 적다: oLRP {olrp_a:.3f}, {b}는 "
    "{olrp_b:.3f} (B − A {delta:+.3f}, {level:.0%} 구간 {low:+.3f} ~ {high:+.3f}, 이미지 단위 대응 "
    "부트스트랩 {n}회).",
    "lrp.finding.b_better": "최적 임계값에서 {b}의 오류가 더 적다: oLRP {olrp_b:.3f}, {a}는 "
    "{olrp_a:.3f} (B − A {delta:+.3f}, {level:.0%} 구간 {low:+.3f} ~ {high:+.3f}, 이미지 단위 대응 "
    "부트스트랩 {n}회).",
    "lrp.finding.no_difference": "최적 임계값에서 어느 모델의 오류가 더 적다고 할 수 없다: oLRP {a} "
    "{olrp_a:.3f}, {b} {olrp_b:.3f} (B − A {delta:+.3f}, {level:.0%} 구간 {low:+.3f} ~ "
    "{high:+.3f}이 0을 포함; 이미지 단위 대응 부트스트랩 {n}회).",
    "lrp.finding.not_tested": "oLRP {a} {olrp_a:.3f}, {b} {olrp_b:.3f} (B − A {delta:+.3f}); "
    "차이가 실제인지는 검정하지 않았다(부트스트랩 없음).",
    "lrp.undefined": "oLRP를 계산할 수 없다: 정답 박스가 있는 클래스가 없다.",
    "lrp.caption": "모델별 oLRP와 구성 요소, 클래스 평균(위치 오차와 FP는 최적점에 TP가 남는 클래스의 "
    "평균). 낮을수록 좋다.",
    "lrp.class_caption": "클래스별: 각 모델의 oLRP와 제출할 점수 임계값(클래스의 oLRP에 이르는 값과 F1을 "
    "최대로 하는 값; n/a: 그 클래스의 검출을 하나도 남기지 않음). oLRP 차이가 큰 순.",
    "lrp.submit": "한 모델의 임계값으로 제출하려면: 'pillcmp eval GT RESULTS --thresholds-out "
    "thresholds.json'이 클래스별 oLRP 임계값을 저장하고('--thresholds-rule f1'이면 F1 임계값), "
    "'pillcmp convert RESULTS submission.csv --class-thresholds thresholds.json' 또는 'pillcmp "
    "predict ... --class-thresholds thresholds.json'이 클래스 임계값 이상인 검출만 남긴다. 이 이미지로 "
    "고른 임계값은 이 이미지에 가장 잘 맞으므로, 테스트 세트가 아닌 검증 세트에서 고른다.",
    "col.olrp_threshold": "oLRP 임계값",
    "col.f1_threshold": "F1 임계값",
    "glossary.olrp.term": "최적 LRP (oLRP)",
    "glossary.olrp.english": "optimal Localisation Recall Precision error",
    "glossary.olrp.text": "클래스마다 모든 점수 임계값 중 가장 낮은 LRP. LRP = (TP마다 (1 − IoU)/(1 − 0.5)의 "
    "합 + FP + FN) / (TP + FP + FN). 0이 완벽하고 낮을수록 좋다 (Oksuz 외 2018, 2021)",
    "line.calibration": "보정(D-ECE, 낮을수록 좋다): {a} {ece_a:.3f}, {b} {ece_b:.3f}; {verdict}.",
    "line.calibration.a_better": "{a}의 점수가 더 믿을 만하다 (B − A의 {level:.0%} 구간 {low:+.3f} ~ "
    "{high:+.3f})",
    "line.calibration.b_better": "{b}의 점수가 더 믿을 만하다 (B − A의 {level:.0%} 구간 {low:+.3f} ~ "
    "{high:+.3f})",
    "line.calibration.no_difference": "어느 쪽이 더 믿을 만하다고 할 수 없다 (B − A의 {level:.0%} "
    "구간 {low:+.3f} ~ {high:+.3f}이 0을 포함)",
    "line.calibration.not_tested": "차이는 검정하지 않았다",
    "line.olrp": "oLRP (IoU {iou:g}, 낮을수록 좋다) {name}: {olrp} (위치 오차 {loc}, FP {fp}, FN "
    "{fn})",
    # --- 도메인 주장 (causes.claims)
    "s.causes.claims": "도메인 주장의 검정",
    "claims.absent": "도메인 주장은 검정하지 않았다(정답 라벨 없음).",
    "claims.intro": "손으로 쓴 보고서는 알약 혼동을 알약 자체로 설명한다: 모양과 색이 같은 닮은 "
    "알약, 희미하거나 없는 각인. 정답 어노테이션에 AIHub의 알약 속성(drug_shape, color_class1, "
    "color_class2, print_front, print_back: 'pillcmp merge'가 알약별 파일에서 보존하는 값)이 "
    "있으면 여기서 주장마다 검정한다. 클래스의 속성값은 그 어노테이션들에서 가장 많이 나온 "
    "값이다. 클래스 치환은 혼동 표에서 찾은 알약을 다른 클래스로 부른 경우이며(점수 >= {s:g}, "
    "IoU >= {iou:g}), 두 모델의 치환을 합쳐 센다. 단측 p가 {alpha:g}보다 작으면 뒷받침된다. "
    "뒷받침되지 않음은 이 클래스들에서 그런 효과가 보이지 않았다는 뜻일 뿐, 클래스가 수십 개뿐이면 "
    "효과가 없다는 증거는 아니다.",
    "claims.no_attributes": "정답 어노테이션에 알약 속성이 없어 이 파일들로는 어떤 주장도 검정할 "
    "수 없다. AIHub의 알약별 파일을 'pillcmp merge'로 병합하고(각 어노테이션의 'attributes'에 "
    "drug_shape, color_class1, print_front 등을 보존한다) 그 정답 라벨을 지정하라.",
    "col.claim": "주장",
    "col.claim_scope": "검정 대상",
    "col.test": "검정",
    "col.claim_result": "수치",
    "claims.claim.look_alike_swaps": "모양과 색이 같은 알약끼리 우연보다 자주 치환된다",
    "claims.claim.imprint_lower_ap": "각인이 없는 클래스의 AP가 더 낮다",
    "claims.claim.imprint_larger_gap": "각인이 없는 클래스에서 두 모델의 격차가 더 크다",
    "claims.verdict.supported": "뒷받침됨",
    "claims.verdict.not_supported": "뒷받침되지 않음",
    "claims.verdict.not_testable": "이 파일들로는 검정 불가",
    "claims.caption": "주장마다 단측 검정. 판정 기준 {alpha:g}.",
    "claims.term.look_alike": "닮은 알약",
    "claims.legend.look_alike": "drug_shape, color_class1, color_class2가 모두 같은 두 클래스",
    "claims.term.no_imprint": "각인 없음",
    "claims.legend.no_imprint": "print_front와 print_back이 모두 비어 있음(AIHub는 각인이 "
    "얼마나 희미한지 기록하지 않으므로 각인이 없는 경우만 검정한다)",
    "claims.term.permutation": "순열 검정",
    "claims.legend.permutation": "모든 치환 횟수는 그대로 두고 생김새(모양과 색)를 클래스 "
    "사이에서 섞는다. p = 닮은 알약 사이의 치환이 관측값 이상인 섞음의 비율 (1 + 해당 수) / "
    "(1 + 섞은 수), 클래스가 적으면 모든 순서를 세는 정확 검정",
    "claims.term.mann_whitney": "Mann-Whitney U 검정",
    "claims.legend.mann_whitney": "각인이 없는 클래스와 나머지 클래스의 순위 검정"
    "(scipy.stats.mannwhitneyu, U는 각인이 없는 쪽의 값). AP는 클래스별 COCO AP(IoU 0.50:0.95)",
    "claims.no_imprint_classes": "각인이 없는 클래스: {ids}.",
    "claims.sentence": "{claim} ({scope}): {verdict} ({p}); {facts}.",
    "claims.scope.pooled": "{a}, {b} 두 모델의 치환 합산",
    "claims.scope.gap": "{worse} 대비 {better}의 우위",
    "claims.scope.gap_unknown": "두 모델의 격차",
    "claims.test.permutation": "순열 검정, 단측, 무작위 섞음 {n:,}회",
    "claims.test.permutation_exact": "순열 검정, 단측, 정확 검정(순서 {n:,}가지)",
    "claims.test.permutation_plain": "순열 검정, 단측",
    "claims.alternative.less": "더 낮음",
    "claims.alternative.greater": "더 큼",
    "claims.test.mann_whitney": "Mann-Whitney U, 단측({side}), {method}",
    "claims.test.mann_whitney_plain": "Mann-Whitney U, 단측({side})",
    "claims.method.exact": "정확 분포",
    "claims.method.asymptotic": "정규 근사",
    "claims.reason.no_attributes": "어노테이션에 모양, 색, 각인 정보가 없다",
    "claims.reason.no_look_alikes": "모양과 색이 같은 클래스 쌍이 없다",
    "claims.reason.no_swaps": "모양과 색을 아는 클래스 사이의 치환이 없다",
    "claims.reason.too_few_classes": "각인 없는 클래스 {n1}개, 있는 클래스 {n2}개. 양쪽 모두 "
    "{min}개 이상 필요하다",
    "claims.reason.no_gap": "두 모델의 mAP가 같거나 정의되지 않는다",
    "claims.facts.look_alike_swaps": "치환 {n}건 중 {same}건({share:.1%})이 닮은 알약 사이, "
    "우연이라면 {expected:.1%} 기대 ({a} {n_a}건, {b} {n_b}건)",
    "claims.facts.imprint_lower_ap": "U = {u:g}. AP 중앙값: 각인 없는 클래스 {n1}개 {m1:.3f}, "
    "있는 클래스 {n2}개 {m2:.3f}",
    "claims.facts.imprint_larger_gap": "U = {u:g}. 우위 중앙값: 각인 없는 클래스 {n1}개 "
    "{m1:+.3f}, 있는 클래스 {n2}개 {m2:+.3f}",
    # --- slices (issue 17 §3)
    "s.slices": "슬라이스: 데이터에 따라 격차가 달라지는가?",
    "s.slices.key": "{attr}별",
    "s.eval.slices": "슬라이스별 성능",
    "slices.text": "슬라이스는 어떤 키의 한 값에 해당하는 데이터 부분이다. 키는 이미지 속성"
    "(objects_per_image: 이미지당 GT 박스 수, image_size: 가로 × 세로)이거나 어노테이션 속성"
    "(예: drug_shape, color_class1)이다. 슬라이스의 mAP는 그 부분만으로 계산한 COCO mAP이며, 같은 "
    "매칭 테이블에서 다시 집계한다(다시 매칭하지 않는다). 키가 데이터를 어떻게 나누는지는 각 표 아래 "
    "노트에 적었다. 슬라이스별 B − A에는 이미지 단위 대응 부트스트랩의 백분위 신뢰구간을 붙였다(전체 "
    "검정과 같은 재표본을 슬라이스의 이미지에서만 센다). p (격차)는 '이 슬라이스의 B − A가 나머지의 "
    "B − A와 같다'에 대한 양측 부트스트랩 p값이고(나머지는 같은 키의 다른 모든 슬라이스, 같은 재표본), "
    "p (Holm 보정)은 그 키의 슬라이스 수만큼 보정한 값이다(슬라이스가 둘이면 검정은 하나다). 이미지가 "
    "{min}장 미만인 슬라이스는 검정하지 않는다.",
    "slices.eval_text": "슬라이스는 어떤 키의 한 값에 해당하는 데이터 부분이다. 키는 이미지 속성"
    "(objects_per_image: 이미지당 GT 박스 수, image_size: 가로 × 세로)이거나 어노테이션 속성"
    "(예: drug_shape, color_class1)이다. 슬라이스의 mAP와 AP50은 그 부분만으로 계산한 COCO 값이며, "
    "같은 매칭 테이블에서 다시 집계한다(다시 매칭하지 않는다). 키가 데이터를 어떻게 나누는지는 각 표 "
    "아래 노트에 적었다.",
    "slices.caption": "{attr}의 값마다: 이미지와 GT 박스 수, 두 모델의 mAP, 대응 부트스트랩 신뢰구간"
    "(재표본 {n}회)을 붙인 B − A, p (격차): 여기의 B − A가 다른 슬라이스의 B − A와 다른지, "
    "p (Holm 보정): 이 키의 슬라이스 수만큼 보정한 값.",
    "slices.eval_caption": "{attr}의 값마다 mAP와 AP50.",
    "slices.finding.item": "{label} (B − A {delta}, Holm p {p})",
    "slices.finding.gap_differs": "{b} 모델과 {a} 모델의 격차가 {attr} 슬라이스마다 같지 않다: {slices} "
    "(Holm 보정, 유의수준 {alpha:.0%}).",
    "slices.finding.no_evidence": "{b} 모델과 {a} 모델의 격차가 {attr} 슬라이스에 따라 다르다는 근거는 "
    "유의수준 {alpha:.0%}에서 없다(Holm 보정 p 최솟값: {p}).",
    "slices.finding.not_tested.no_bootstrap": "{b} 모델과 {a} 모델의 격차가 {attr} 슬라이스에 따라 다른지는 "
    "검정하지 않았다: 부트스트랩을 실행하지 않았다(재표본 0회).",
    "slices.finding.not_tested.few_slices": "{b} 모델과 {a} 모델의 격차가 {attr} 슬라이스에 따라 다른지는 "
    "검정하지 않았다: GT 박스가 있고 이미지가 {min}장 이상인 슬라이스가 둘 미만이다.",
    "slices.mode.image": "{attr}: 슬라이스마다 이미지 집합이며, 그 mAP는 그 이미지들만으로 계산한 "
    "COCO mAP이다(imgIds를 그 이미지로 둔 pycocotools와 같다).",
    "slices.mode.category": "{attr}는 한 클래스의 모든 박스에서 같으므로, 슬라이스마다 클래스 집합이며 "
    "그 mAP는 그 클래스들의 AP 평균이다(catIds를 그 클래스로 둔 pycocotools와 같다).",
    "slices.mode.annotation": "{attr}는 클래스 안에서도 이미지 안에서도 달라지므로, 슬라이스마다 박스 "
    "집합이다: 슬라이스 밖의 GT 박스는 무시하고(COCO가 크기 범위 밖의 박스를 무시하듯), 그런 박스와 "
    "매칭된 검출도 무시하며, 아무것과도 매칭되지 않은 검출은 예측 클래스에서 가장 흔한 값의 "
    "슬라이스에 센다. 다시 매칭하지 않는다: 무시된 박스와 매칭된 검출에 다른 박스를 주지 않는다.",
    "slices.code.binned": "{attr}의 값이 많아 여기서는 구간으로 묶었다.",
    "slices.code.attribute_missing": "{attr}가 없는 박스가 있다: 이들은 슬라이스 n/a가 된다.",
    "slices.code.attribute_varies_within_class": "{attr}가 한 클래스의 모든 박스에서 같지는 않다.",
    "slices.code.images_without_value": "GT 박스가 없는 이미지는 {attr}가 없다: 어느 슬라이스에도 "
    "속하지 않으며 그 검출도 어디에도 세지 않는다.",
    "slices.too_small": "이미지가 {min}장 미만인 슬라이스에는 신뢰구간도 검정도 없다(이렇게 적은 "
    "이미지의 부트스트랩으로는 퍼짐을 잴 수 없다). 다른 슬라이스의 나머지에는 그대로 들어간다.",
    "col.slice_gt": "GT 박스",
    "col.p_gap": "p (격차)",
    "col.p_gap_holm": "p (Holm 보정)",
}
