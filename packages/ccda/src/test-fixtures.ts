/** A small synthetic CCD (made up for tests: no real person) covering every mapped section. */
const T = (root: string): string => `<templateId root="2.16.840.1.113883.10.20.22.${root}" extension="2015-08-01"/>`;

export const SYNTHETIC_CCD = `<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sdtc="urn:hl7-org:sdtc">
  <realmCode code="US"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  ${T('1.1')}${T('1.2')}
  <id root="2.16.840.1.113883.19.5.99999.1" extension="DOC-1"/>
  <code code="34133-9" codeSystem="2.16.840.1.113883.6.1" displayName="Summarization of Episode Note"/>
  <title>Synthetic CCD</title>
  <effectiveTime value="20240102103000-0500"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <recordTarget><patientRole>
    <id root="2.16.840.1.113883.19.5.99999.2" extension="MRN-42"/>
    <addr use="HP"><streetAddressLine>1 Test Street</streetAddressLine><city>Augusta</city><state>ME</state><postalCode>04330</postalCode><country>US</country></addr>
    <telecom use="MC" value="tel:+1(555)555-0100"/><telecom value="mailto:test@example.org"/>
    <patient>
      <name use="L"><given>Test</given><given>Q</given><family>Patient</family></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="19800315"/>
      <raceCode code="2106-3" codeSystem="2.16.840.1.113883.6.238" displayName="White"/>
      <sdtc:raceCode code="2108-9" codeSystem="2.16.840.1.113883.6.238" displayName="European"/>
      <ethnicGroupCode code="2186-5" codeSystem="2.16.840.1.113883.6.238" displayName="Not Hispanic or Latino"/>
    </patient>
  </patientRole></recordTarget>
  <author><time value="20240102"/><assignedAuthor><id root="2.16.840.1.113883.4.6" extension="1234567890"/><assignedPerson><name><given>Ann</given><family>Author</family></name></assignedPerson></assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization><id root="2.16.840.1.113883.19.5"/><name>Test Clinic</name></representedCustodianOrganization></assignedCustodian></custodian>
  <component><structuredBody>
    <component><section>${T('2.5.1')}<code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/><title>Problems</title>
      <text><content ID="prob1">Essential hypertension</content></text>
      <entry><act classCode="ACT" moodCode="EVN">${T('4.3')}<id root="1.2.3.4" extension="pc1"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">${T('4.4')}<id root="1.2.3.4" extension="p1"/>
          <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/>
          <effectiveTime><low value="20180101"/></effectiveTime>
          <value xsi:type="CD" code="59621000" codeSystem="2.16.840.1.113883.6.96" displayName="Essential hypertension"><originalText><reference value="#prob1"/></originalText>
            <translation code="I10" codeSystem="2.16.840.1.113883.6.90" displayName="Essential (primary) hypertension"/></value>
        </observation></entryRelationship></act></entry>
      <entry><act classCode="ACT" moodCode="EVN">${T('4.3')}<id root="1.2.3.4" extension="pc2"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="completed"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">${T('4.4')}
          <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/>
          <effectiveTime><low value="201503"/><high value="2016"/></effectiveTime>
          <value xsi:type="CD" nullFlavor="OTH"><originalText>Sprained ankle</originalText></value>
        </observation></entryRelationship></act></entry>
      <entry><act classCode="ACT" moodCode="EVN">${T('4.3')}<id root="1.2.3.4" extension="pc3"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">${T('4.4')}<id root="1.2.3.4" extension="p3"/>
          <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/>
          <value xsi:type="CD" nullFlavor="UNK"/>
        </observation></entryRelationship></act></entry>
    </section></component>
    <component><section>${T('2.6.1')}<code code="48765-2" codeSystem="2.16.840.1.113883.6.1"/><title>Allergies</title><text>Allergies</text>
      <entry><act classCode="ACT" moodCode="EVN">${T('4.30')}<id root="1.2.3.4" extension="ac1"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">${T('4.7')}<id root="1.2.3.4" extension="a1"/>
          <code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/><effectiveTime><low value="2010"/></effectiveTime>
          <value xsi:type="CD" code="416098002" codeSystem="2.16.840.1.113883.6.96" displayName="Drug allergy"/>
          <participant typeCode="CSM"><participantRole classCode="MANU"><playingEntity classCode="MMAT"><code code="7980" codeSystem="2.16.840.1.113883.6.88" displayName="Penicillin G"/></playingEntity></participantRole></participant>
          <entryRelationship typeCode="MFST" inversionInd="true"><observation classCode="OBS" moodCode="EVN">${T('4.9')}<id root="1.2.3.4" extension="r1"/><code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/>
            <value xsi:type="CD" code="247472004" codeSystem="2.16.840.1.113883.6.96" displayName="Hives"/>
            <entryRelationship typeCode="SUBJ" inversionInd="true"><observation classCode="OBS" moodCode="EVN">${T('4.8')}<code code="SEV" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/>
              <value xsi:type="CD" code="24484000" codeSystem="2.16.840.1.113883.6.96" displayName="Severe"/></observation></entryRelationship>
          </observation></entryRelationship>
          <entryRelationship typeCode="SUBJ" inversionInd="true"><observation classCode="OBS" moodCode="EVN">${T('4.145')}<code code="82606-5" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="completed"/>
            <value xsi:type="CD" code="CRITH" codeSystem="2.16.840.1.113883.5.1063"/></observation></entryRelationship>
        </observation></entryRelationship></act></entry>
      <entry><act classCode="ACT" moodCode="EVN">${T('4.30')}<id root="1.2.3.4" extension="ac2"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN" negationInd="true">${T('4.7')}<id root="1.2.3.4" extension="a2"/>
          <code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/>
          <value xsi:type="CD" code="419199007" codeSystem="2.16.840.1.113883.6.96" displayName="Allergy to substance"/>
          <participant typeCode="CSM"><participantRole classCode="MANU"><playingEntity classCode="MMAT"><code nullFlavor="NA"><originalText>No known allergies</originalText></code></playingEntity></participantRole></participant>
        </observation></entryRelationship></act></entry>
    </section></component>
    <component><section>${T('2.1.1')}<code code="10160-0" codeSystem="2.16.840.1.113883.6.1"/><title>Medications</title><text>Meds</text>
      <entry><substanceAdministration classCode="SBADM" moodCode="EVN">${T('4.16')}<id root="1.2.3.4" extension="m1"/>
        <text>Lisinopril 10 mg once daily</text><statusCode code="active"/>
        <effectiveTime xsi:type="IVL_TS"><low value="20180115"/></effectiveTime>
        <effectiveTime xsi:type="PIVL_TS" institutionSpecified="true" operator="A"><period value="24" unit="h"/></effectiveTime>
        <routeCode code="C38288" codeSystem="2.16.840.1.113883.3.26.1.1" displayName="Oral"/>
        <doseQuantity value="1"/>
        <consumable><manufacturedProduct>${T('4.23')}<manufacturedMaterial><code code="314076" codeSystem="2.16.840.1.113883.6.88" displayName="lisinopril 10 MG Oral Tablet"/></manufacturedMaterial></manufacturedProduct></consumable>
      </substanceAdministration></entry>
    </section></component>
    <component><section>${T('2.3.1')}<code code="30954-2" codeSystem="2.16.840.1.113883.6.1"/><title>Results</title><text>Results</text>
      <entry><organizer classCode="BATTERY" moodCode="EVN">${T('4.1')}<id root="1.2.3.4" extension="o1"/>
        <code code="24323-8" codeSystem="2.16.840.1.113883.6.1" displayName="Comprehensive metabolic panel"/><statusCode code="completed"/>
        <effectiveTime value="20231201083000-0500"/>
        <component><observation classCode="OBS" moodCode="EVN">${T('4.2')}<id root="1.2.3.4" extension="r-glu"/>
          <code code="2345-7" codeSystem="2.16.840.1.113883.6.1" displayName="Glucose"/><statusCode code="completed"/>
          <effectiveTime value="20231201083000-0500"/><value xsi:type="PQ" value="182" unit="mg/dL"/>
          <interpretationCode code="H" codeSystem="2.16.840.1.113883.5.83"/>
          <referenceRange><observationRange><value xsi:type="IVL_PQ"><low value="70" unit="mg/dL"/><high value="99" unit="mg/dL"/></value><interpretationCode code="N" codeSystem="2.16.840.1.113883.5.83"/></observationRange></referenceRange>
        </observation></component>
        <component><observation classCode="OBS" moodCode="EVN">${T('4.2')}<id root="1.2.3.4" extension="r-color"/>
          <code code="5778-6" codeSystem="2.16.840.1.113883.6.1" displayName="Color of Urine"/><statusCode code="completed"/>
          <value xsi:type="ST">yellow</value></observation></component>
        <component><observation classCode="OBS" moodCode="EVN">${T('4.2')}<id root="1.2.3.4" extension="r-abo"/>
          <code code="882-1" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="completed"/>
          <value xsi:type="CD" code="278149003" codeSystem="2.16.840.1.113883.6.96" displayName="Blood group A Rh(D) positive"/></observation></component>
        <component><observation classCode="OBS" moodCode="EVN">${T('4.2')}<id root="1.2.3.4" extension="r-range"/>
          <code code="2093-3" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="active"/>
          <value xsi:type="IVL_PQ"><low value="200" unit="mg/dL"/><high value="240" unit="mg/dL"/></value></observation></component>
        <component><observation classCode="OBS" moodCode="EVN">${T('4.2')}<id root="1.2.3.4" extension="r-null"/>
          <code code="718-7" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="completed"/>
          <value xsi:type="PQ" nullFlavor="ASKU"/></observation></component>
      </organizer></entry>
    </section></component>
    <component><section>${T('2.4.1')}<code code="8716-3" codeSystem="2.16.840.1.113883.6.1"/><title>Vital Signs</title><text>Vitals</text>
      <entry><organizer classCode="CLUSTER" moodCode="EVN">${T('4.26')}<id root="1.2.3.4" extension="vo1"/><code code="46680005" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/>
        <effectiveTime value="202312010815-0500"/>
        <component><observation classCode="OBS" moodCode="EVN">${T('4.27')}<id root="1.2.3.4" extension="v-hr"/>
          <code code="8867-4" codeSystem="2.16.840.1.113883.6.1" displayName="Heart rate"/><statusCode code="completed"/>
          <effectiveTime value="202312010815-0500"/><value xsi:type="PQ" value="72" unit="/min"/></observation></component>
        <component><observation classCode="OBS" moodCode="EVN">${T('4.27')}
          <code code="8302-2" codeSystem="2.16.840.1.113883.6.1" displayName="Body height"/><statusCode code="completed"/>
          <value xsi:type="PQ" value="165" unit="cm"/></observation></component>
      </organizer></entry>
    </section></component>
    <component><section>${T('2.2.1')}<code code="11369-6" codeSystem="2.16.840.1.113883.6.1"/><title>Immunizations</title><text>Imm</text>
      <entry><substanceAdministration classCode="SBADM" moodCode="EVN" negationInd="false">${T('4.52')}<id root="1.2.3.4" extension="i1"/><statusCode code="completed"/>
        <effectiveTime value="20231015"/>
        <consumable><manufacturedProduct>${T('4.54')}<manufacturedMaterial><code code="141" codeSystem="2.16.840.1.113883.12.292" displayName="Influenza, seasonal, injectable"/><lotNumberText>LOT-1</lotNumberText></manufacturedMaterial></manufacturedProduct></consumable>
      </substanceAdministration></entry>
      <entry><substanceAdministration classCode="SBADM" moodCode="EVN" negationInd="true">${T('4.52')}<id root="1.2.3.4" extension="i2"/><statusCode code="completed"/>
        <effectiveTime value="20231015"/>
        <consumable><manufacturedProduct>${T('4.54')}<manufacturedMaterial><code code="213" codeSystem="2.16.840.1.113883.12.292" displayName="SARS-COV-2 (COVID-19) vaccine, UNSPECIFIED FORMULATION"/></manufacturedMaterial></manufacturedProduct></consumable>
        <entryRelationship typeCode="RSON"><observation classCode="OBS" moodCode="EVN">${T('4.53')}<code code="PATOBJ" codeSystem="2.16.840.1.113883.5.8" displayName="Patient Objection"/><statusCode code="completed"/></observation></entryRelationship>
      </substanceAdministration></entry>
    </section></component>
    <component><section>${T('2.7.1')}<code code="47519-4" codeSystem="2.16.840.1.113883.6.1"/><title>Procedures</title><text>Proc</text>
      <entry><procedure classCode="PROC" moodCode="EVN">${T('4.14')}<id root="1.2.3.4" extension="pr1"/>
        <code code="80146002" codeSystem="2.16.840.1.113883.6.96" displayName="Appendectomy"/><statusCode code="completed"/>
        <effectiveTime value="20050607"/></procedure></entry>
    </section></component>
    <component><section>${T('2.22.1')}<code code="46240-8" codeSystem="2.16.840.1.113883.6.1"/><title>Encounters</title><text>Enc</text>
      <entry><encounter classCode="ENC" moodCode="EVN">${T('4.49')}<id root="1.2.3.4" extension="e1"/>
        <code code="99213" codeSystem="2.16.840.1.113883.6.12" displayName="Office visit"><translation code="AMB" codeSystem="2.16.840.1.113883.5.4" displayName="ambulatory"/></code>
        <effectiveTime><low value="20231201080000-0500"/><high value="20231201090000-0500"/></effectiveTime></encounter></entry>
    </section></component>
  </structuredBody></component>
</ClinicalDocument>`;

/**
 * A CCD whose narrative uses what the narrative block allows (tables with spans, ordered lists,
 * styles, line breaks, sub- and superscripts, footnotes, revisions, links, images) and what it
 * must never pass on (scripts, event handlers, inline styles, external addresses). Its one
 * problem entry is asthma; `confidential` adds a depression entry (a mental health label).
 */
export function narrativeCcd(opts: { confidential?: boolean; docId?: string; birthTime?: string } = {}): string {
  const depression = opts.confidential
    ? `<entry><act classCode="ACT" moodCode="EVN">${T('4.3')}<id root="1.2.3.4" extension="pc2"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">${T('4.4')}<id root="1.2.3.4" extension="p2"/>
          <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/><effectiveTime><low value="20230301"/></effectiveTime>
          <value xsi:type="CD" code="35489007" codeSystem="2.16.840.1.113883.6.96" displayName="Depressive disorder"><translation code="F32.9" codeSystem="2.16.840.1.113883.6.90"/></value>
        </observation></entryRelationship></act></entry>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="US"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  ${T('1.1')}${T('1.2')}
  <id root="2.16.840.1.113883.19.5.99999.1" extension="${opts.docId ?? 'NARRATIVE-1'}"/>
  <code code="34133-9" codeSystem="2.16.840.1.113883.6.1" displayName="Summarization of Episode Note"/>
  <title>Harbor Clinic visit summary</title>
  <effectiveTime value="20240612143000-0400"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <recordTarget><patientRole>
    <id root="2.16.840.1.113883.19.5.99999.2" extension="MRN-77"/>
    <patient>
      <name use="L"><given>Tessa</given><family>Quimby</family></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="${opts.birthTime ?? '20100101'}"/>
    </patient>
  </patientRole></recordTarget>
  <author><time value="20240612"/><assignedAuthor><id root="2.16.840.1.113883.4.6" extension="1234567890"/>
    <assignedPerson><name><given>Maren</given><family>Holloway</family><suffix>MD</suffix></name></assignedPerson>
    <representedOrganization><name>Harbor Clinic</name></representedOrganization></assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization><id root="2.16.840.1.113883.19.5"/><name>Harbor Clinic Records</name></representedCustodianOrganization></assignedCustodian></custodian>
  <component><structuredBody>
    <component><section>${T('2.5.1')}<code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/><title>Problems</title>
      <text>
        <table border="1" width="100%" onclick="steal()">
          <caption>Active problems</caption>
          <colgroup><col width="50%"/></colgroup>
          <thead><tr><th>Problem</th><th>Status</th><th>Since</th></tr></thead>
          <tbody>
            <tr ID="row1"><td><content ID="prob1" styleCode="Bold">Asthma</content></td><td>Active</td><td>March 2019</td></tr>
            <tr><td colspan="3" style="background:url(http://evil.example/x.png)">Reviewed at this visit</td></tr>
          </tbody>
        </table>
      </text>
      <entry><act classCode="ACT" moodCode="EVN">${T('4.3')}<id root="1.2.3.4" extension="pc1"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">${T('4.4')}<id root="1.2.3.4" extension="p1"/>
          <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/><effectiveTime><low value="20190301"/></effectiveTime>
          <value xsi:type="CD" code="195967001" codeSystem="2.16.840.1.113883.6.96" displayName="Asthma"><originalText><reference value="#prob1"/></originalText></value>
        </observation></entryRelationship></act></entry>
      ${depression}
    </section></component>
    <component><section>${T('2.1.1')}<code code="10160-0" codeSystem="2.16.840.1.113883.6.1"/><title>Medications</title>
      <text><list listType="ordered" styleCode="LittleRoman"><caption>Take as directed</caption>
        <item>Albuterol inhaler, <content styleCode="Italics">two puffs</content> as needed</item>
        <item>Fluticasone 44 mcg<br/>one puff twice a day</item>
      </list></text>
    </section></component>
    <component><section><code code="51848-0" codeSystem="2.16.840.1.113883.6.1" displayName="Assessment"/><title>Assessment and plan</title>
      <text>
        <paragraph>Peak flow is good. SpO<sub>2</sub> 98%; <content styleCode="Bold Underline xCustom" onmouseover="steal()">keep using the spacer</content>.<footnote>Checked by the nurse.</footnote></paragraph>
        <paragraph><content revised="delete">Old plan: stop the inhaler.</content>See the <linkHtml href="javascript:alert(1)">asthma action plan</linkHtml> and <linkHtml href="http://evil.example/plan">this page</linkHtml>.</paragraph>
        <script>alert('narrative')</script>
        <renderMultiMedia referencedObject="chart1"><caption>Peak flow chart</caption></renderMultiMedia>
        <img src="http://evil.example/track.png" alt="tracking pixel"/>
        <b>Follow up</b> in <i>three</i> months.
      </text>
      <component><section><title>Patient instructions</title><text><ul><li>Rinse after the steroid inhaler</li><li>Call if the rescue inhaler is needed more than twice a week</li></ul></text></section></component>
    </section></component>
  </structuredBody></component>
</ClinicalDocument>`;
}
