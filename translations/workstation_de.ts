<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>BoxPanel</name>
    <message>
        <source>Selected box</source>
        <translation>Gewähltes Feld</translation>
    </message>
    <message>
        <source>Image&apos;s window</source>
        <translation>Fenster des Bildes</translation>
    </message>
    <message>
        <source>Rotate 90° to the left</source>
        <translation>90° nach links drehen</translation>
    </message>
    <message>
        <source>Rotate 90° to the right</source>
        <translation>90° nach rechts drehen</translation>
    </message>
    <message>
        <source>Flip</source>
        <translation>Spiegeln</translation>
    </message>
    <message>
        <source>Invert</source>
        <translation>Invertieren</translation>
    </message>
    <message>
        <source>Earlier</source>
        <translation>Früher</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Später</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Window centre</source>
        <translation>Fensterzentrum</translation>
    </message>
    <message>
        <source>Window width</source>
        <translation>Fensterbreite</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <source>Click a box on the film to change how it shows its image.</source>
        <translation>Ein Feld auf dem Film anklicken, um die Darstellung seines Bildes zu ändern.</translation>
    </message>
    <message>
        <source>Film %1, box %2: %3</source>
        <translation>Film %1, Feld %2: %3</translation>
    </message>
</context>
<context>
    <name>CleanupPolicyBox</name>
    <message>
        <source>Automatic cleanup</source>
        <translation>Automatische Bereinigung</translation>
    </message>
    <message>
        <source>Delete the oldest studies automatically when free space runs low</source>
        <translation>Älteste Studien automatisch löschen, wenn der freie Speicherplatz knapp wird</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <source>Start when free space is below</source>
        <translation>Beginnen, wenn der freie Speicherplatz unter</translation>
    </message>
    <message>
        <source>and delete until</source>
        <translation>liegt, und löschen, bis</translation>
    </message>
    <message>
        <source>are free.</source>
        <translation>frei sind.</translation>
    </message>
    <message>
        <source>Oldest study date first. Never deleted automatically: protected studies and studies that received images in the last %1 minutes. Every automatic deletion is written to the log.</source>
        <translation>Ältestes Studiendatum zuerst. Nie automatisch gelöscht werden geschützte Studien und Studien, die in den letzten %1 Minuten Bilder empfangen haben. Jede automatische Löschung wird protokolliert.</translation>
    </message>
    <message>
        <source>Changed in the service settings</source>
        <translation>Wird in den Service-Einstellungen geändert</translation>
    </message>
    <message>
        <source>The second value must be larger than the first.</source>
        <translation>Der zweite Wert muss größer als der erste sein.</translation>
    </message>
    <message>
        <source>Automatic cleanup is off.</source>
        <translation>Die automatische Bereinigung ist ausgeschaltet.</translation>
    </message>
    <message>
        <source>Free space (%1) is below the start value: the oldest unprotected studies will be deleted at the next check.</source>
        <translation>Der freie Speicherplatz (%1) liegt unter dem Startwert: Die ältesten ungeschützten Studien werden bei der nächsten Prüfung gelöscht.</translation>
    </message>
    <message>
        <source>Free space (%1) is above the start value: nothing is deleted now.</source>
        <translation>Der freie Speicherplatz (%1) liegt über dem Startwert: Jetzt wird nichts gelöscht.</translation>
    </message>
    <message>
        <source>The start value is below the refuse limit of %1: images would be refused before the cleanup starts.</source>
        <translation>Der Startwert liegt unter der Annahmegrenze von %1: Bilder würden abgelehnt, bevor die Bereinigung beginnt.</translation>
    </message>
    <message>
        <source>Not applied yet.</source>
        <translation>Noch nicht angewendet.</translation>
    </message>
    <message>
        <source>The settings could not be changed:</source>
        <translation>Die Einstellungen konnten nicht geändert werden:</translation>
    </message>
</context>
<context>
    <name>ComposerTab</name>
    <message>
        <source>Film</source>
        <translation>Film</translation>
    </message>
    <message>
        <source>Drag series here from the patient browser or the viewer&apos;s series strip, or use the viewer&apos;s Film button for the image it shows.</source>
        <translation>Serien aus dem Patientenbrowser oder der Serienleiste des Betrachters hierher ziehen, oder mit der Film-Schaltfläche des Betrachters das angezeigte Bild hinzufügen.</translation>
    </message>
    <message>
        <source>◀ Previous</source>
        <translation>◀ Zurück</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>Weiter ▶</translation>
    </message>
    <message>
        <source>Printer pixels (1:1)</source>
        <translation>Druckerpixel (1:1)</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Dropped series: key images only</source>
        <translation>Abgelegte Serien: nur Schlüsselbilder</translation>
    </message>
    <message>
        <source>Remove all images</source>
        <translation>Alle Bilder entfernen</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) added to the films.</source>
        <translation>
            <numerusform>%n Bild zu den Filmen hinzugefügt.</numerusform>
            <numerusform>%n Bilder zu den Filmen hinzugefügt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) left out: not key images.</source>
        <translation>
            <numerusform>%n Bild ausgelassen: kein Schlüsselbild.</numerusform>
            <numerusform>%n Bilder ausgelassen: keine Schlüsselbilder.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) without pixel data left out.</source>
        <translation>
            <numerusform>%n Objekt ohne Pixeldaten ausgelassen.</numerusform>
            <numerusform>%n Objekte ohne Pixeldaten ausgelassen.</numerusform>
        </translation>
    </message>
    <message>
        <source>No image of it is flagged as a key image.</source>
        <translation>Keines ihrer Bilder ist als Schlüsselbild markiert.</translation>
    </message>
    <message>
        <source>The image has no pixel data to print.</source>
        <translation>Das Bild hat keine druckbaren Pixeldaten.</translation>
    </message>
    <message>
        <source>Image added to film %1.</source>
        <translation>Bild zu Film %1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Film %1 of %2</source>
        <translation>Film %1 von %2</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) on %1 film(s)</source>
        <translation>
            <numerusform>%n Bild auf %1 Film(en)</numerusform>
            <numerusform>%n Bilder auf %1 Film(en)</numerusform>
        </translation>
    </message>
    <message>
        <source>Rendering at the printer&apos;s matrix…</source>
        <translation>Wird in der Druckermatrix berechnet…</translation>
    </message>
    <message>
        <source>Film %1 cannot be rendered: %2</source>
        <translation>Film %1 kann nicht berechnet werden: %2</translation>
    </message>
    <message>
        <source>Every box is at true size: 1 cm on the patient is 1 cm on the film.</source>
        <translation>Alle Felder in Originalgröße: 1 cm am Patienten ist 1 cm auf dem Film.</translation>
    </message>
</context>
<context>
    <name>DiscontinueDialog</name>
    <message>
        <source>Change of procedure for correct charging</source>
        <translation>Prozedur für korrekte Abrechnung geändert</translation>
    </message>
    <message>
        <source>Discontinue</source>
        <translation>Untersuchung abbrechen</translation>
    </message>
    <message>
        <source>Discontinue the examination</source>
        <translation>Untersuchung abbrechen</translation>
    </message>
    <message>
        <source>Discontinued Procedure Step rescheduled</source>
        <translation>Abgebrochener Prozedurschritt neu geplant</translation>
    </message>
    <message>
        <source>Discontinued Procedure Step rescheduling recommended</source>
        <translation>Neuplanung des abgebrochenen Prozedurschritts empfohlen</translation>
    </message>
    <message>
        <source>Discontinued for unspecified reason</source>
        <translation>Abgebrochen ohne Angabe eines Grundes</translation>
    </message>
    <message>
        <source>Doctor canceled procedure</source>
        <extracomment>CID 9300 code value -&gt; the meaning, for translation</extracomment>
        <translation>Arzt hat die Untersuchung abgesagt</translation>
    </message>
    <message>
        <source>Duplicate order</source>
        <translation>Doppelter Auftrag</translation>
    </message>
    <message>
        <source>Equipment change</source>
        <translation>Gerätewechsel</translation>
    </message>
    <message>
        <source>Equipment failure</source>
        <translation>Geräteausfall</translation>
    </message>
    <message>
        <source>Incorrect procedure ordered</source>
        <translation>Falsche Untersuchung angefordert</translation>
    </message>
    <message>
        <source>Incorrect side ordered</source>
        <translation>Falsche Seite angefordert</translation>
    </message>
    <message>
        <source>Incorrect worklist entry selected</source>
        <translation>Falscher Worklist-Eintrag gewählt</translation>
    </message>
    <message>
        <source>Media Failure</source>
        <translation>Datenträgerfehler</translation>
    </message>
    <message>
        <source>Nursing unit cancel</source>
        <translation>Absage durch die Station</translation>
    </message>
    <message>
        <source>Object Set incomplete</source>
        <translation>Objektmenge unvollständig</translation>
    </message>
    <message>
        <source>Object Types not supported</source>
        <translation>Objekttypen nicht unterstützt</translation>
    </message>
    <message>
        <source>Objects incorrectly formatted</source>
        <translation>Objekte falsch formatiert</translation>
    </message>
    <message>
        <source>Patient allergic to media/contrast</source>
        <translation>Patient allergisch gegen Kontrastmittel</translation>
    </message>
    <message>
        <source>Patient condition prevented continuing</source>
        <translation>Zustand des Patienten verhinderte die Fortsetzung</translation>
    </message>
    <message>
        <source>Patient did not arrive</source>
        <translation>Patient nicht erschienen</translation>
    </message>
    <message>
        <source>Patient died</source>
        <translation>Patient verstorben</translation>
    </message>
    <message>
        <source>Patient pregnant</source>
        <translation>Patientin schwanger</translation>
    </message>
    <message>
        <source>Patient refused to continue procedure</source>
        <translation>Patient verweigert die Fortsetzung</translation>
    </message>
    <message>
        <source>Patient taken for treatment or surgery</source>
        <translation>Patient zur Behandlung oder Operation abgeholt</translation>
    </message>
    <message>
        <source>Resource inadequate</source>
        <translation>Ressource unzureichend</translation>
    </message>
    <message>
        <source>Resource pre-empted</source>
        <translation>Ressource anderweitig belegt</translation>
    </message>
    <message>
        <source>Why is the examination discontinued? The reason is reported to the RIS (MPPS DISCONTINUED). The step cannot be changed afterwards.</source>
        <translation>Warum wird die Untersuchung abgebrochen? Der Grund wird an das RIS gemeldet (MPPS DISCONTINUED). Danach kann der Schritt nicht mehr geändert werden.</translation>
    </message>
</context>
<context>
    <name>EcgView</name>
    <message>
        <source>Waveform</source>
        <translation>Kurvendaten</translation>
    </message>
    <message>
        <source>{label}: {channels} channels, {seconds:.1f} s</source>
        <translation>{label}: {channels} Kanäle, {seconds:.1f} s</translation>
    </message>
    <message>
        <source>Group {number}</source>
        <translation>Gruppe {number}</translation>
    </message>
    <message>
        <source>Time (s)</source>
        <translation>Zeit (s)</translation>
    </message>
</context>
<context>
    <name>ExamBackend</name>
    <message>
        <source>PDF</source>
        <translation>PDF</translation>
    </message>
    <message>
        <source>image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>object</source>
        <translation>Objekt</translation>
    </message>
</context>
<context>
    <name>ExamController</name>
    <message>
        <source>An examination for this order is still open (step {id}, started {time}). Continue it?</source>
        <translation>Für diesen Auftrag ist noch eine Untersuchung offen (Schritt {id}, begonnen {time}). Fortsetzen?</translation>
    </message>
    <message>
        <source>Examination already open</source>
        <translation>Untersuchung bereits offen</translation>
    </message>
    <message>
        <source>The examination cannot be opened: {reason}</source>
        <translation>Die Untersuchung kann nicht geöffnet werden: {reason}</translation>
    </message>
</context>
<context>
    <name>ExamPage</name>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Hinzufügen…</translation>
    </message>
    <message>
        <source>After the examination (rules run when a step is completed)</source>
        <translation>Nach der Untersuchung (Regeln laufen, wenn ein Schritt abgeschlossen ist)</translation>
    </message>
    <message>
        <source>Also when discontinued</source>
        <translation>Auch bei Abbruch</translation>
    </message>
    <message>
        <source>Ask when the examination ends</source>
        <translation>Beim Ende der Untersuchung fragen</translation>
    </message>
    <message>
        <source>Complete automatically when the patient is closed</source>
        <translation>Automatisch abschließen, wenn der Patient geschlossen wird</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Ending a step:</source>
        <translation>Schritt beenden:</translation>
    </message>
    <message>
        <source>First node with the MPPS role</source>
        <translation>Erster Knoten mit der Rolle MPPS</translation>
    </message>
    <message>
        <source>MPPS node:</source>
        <translation>MPPS-Knoten:</translation>
    </message>
    <message>
        <source>Modality Performed Procedure Step</source>
        <translation>Modality Performed Procedure Step (MPPS)</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Report the procedure step with MPPS</source>
        <translation>Prozedurschritt per MPPS melden</translation>
    </message>
    <message>
        <source>Station name:</source>
        <translation>Stationsname:</translation>
    </message>
    <message>
        <source>Storage commitment</source>
        <translation>Storage Commitment</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
</context>
<context>
    <name>ExamScreen</name>
    <message numerus="yes">
        <source>%n object(s)</source>
        <translation>
            <numerusform>%n Objekt</numerusform>
            <numerusform>%n Objekte</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n object(s) added.</source>
        <translation>
            <numerusform>%n Objekt hinzugefügt.</numerusform>
            <numerusform>%n Objekte hinzugefügt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Accession {acc}</source>
        <translation>Auftragsnummer {acc}</translation>
    </message>
    <message>
        <source>Add files to the examination</source>
        <translation>Dateien zur Untersuchung hinzufügen</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>Dateien hinzufügen…</translation>
    </message>
    <message numerus="yes">
        <source>Adding %n file(s)…</source>
        <translation>
            <numerusform>%n Datei wird hinzugefügt…</numerusform>
            <numerusform>%n Dateien werden hinzugefügt…</numerusform>
        </translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Abschließen</translation>
    </message>
    <message>
        <source>Complete patient data…</source>
        <translation>Patientendaten ergänzen…</translation>
    </message>
    <message>
        <source>DICOM files (re-stamped with this patient and order), photographs and scans (JPEG, PNG, TIFF) and PDF documents</source>
        <translation>DICOM-Dateien (mit diesem Patienten und Auftrag neu gekennzeichnet), Fotos und Scans (JPEG, PNG, TIFF) und PDF-Dokumente</translation>
    </message>
    <message>
        <source>DICOM, images and PDF (*.dcm *.DCM *.jpg *.jpeg *.png *.tif *.tiff *.pdf *);;All files (*)</source>
        <translation>DICOM, Bilder und PDF (*.dcm *.DCM *.jpg *.jpeg *.png *.tif *.tiff *.pdf *);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Discontinue…</source>
        <translation>Untersuchung abbrechen…</translation>
    </message>
    <message>
        <source>EMERGENCY: generated patient ID and name. Complete the patient data before the examination ends.</source>
        <translation>NOTFALL: erzeugte Patienten-ID und erzeugter Name. Patientendaten vor dem Ende der Untersuchung ergänzen.</translation>
    </message>
    <message>
        <source>Examination completed</source>
        <translation>Untersuchung abgeschlossen</translation>
    </message>
    <message>
        <source>Examination discontinued</source>
        <translation>Untersuchung abgebrochen</translation>
    </message>
    <message>
        <source>Examination open</source>
        <translation>Untersuchung offen</translation>
    </message>
    <message>
        <source>Files not added: {reason}</source>
        <translation>Dateien nicht hinzugefügt: {reason}</translation>
    </message>
    <message>
        <source>ID {id}</source>
        <translation>ID {id}</translation>
    </message>
    <message>
        <source>MPPS completed</source>
        <translation>MPPS abgeschlossen</translation>
    </message>
    <message>
        <source>MPPS discontinued</source>
        <translation>MPPS abgebrochen</translation>
    </message>
    <message>
        <source>MPPS failed</source>
        <translation>MPPS fehlgeschlagen</translation>
    </message>
    <message>
        <source>MPPS in progress</source>
        <translation>MPPS in Arbeit</translation>
    </message>
    <message>
        <source>MPPS not sent</source>
        <translation>MPPS nicht gesendet</translation>
    </message>
    <message>
        <source>MPPS off</source>
        <translation>MPPS aus</translation>
    </message>
    <message>
        <source>No objects yet. Add files, or send the images from the modality to this workstation: they appear here as they arrive.</source>
        <translation>Noch keine Objekte. Dateien hinzufügen oder die Bilder von der Modalität an diese Workstation senden: Sie erscheinen hier, sobald sie ankommen.</translation>
    </message>
    <message>
        <source>Not added: {files}</source>
        <translation>Nicht hinzugefügt: {files}</translation>
    </message>
    <message>
        <source>Nothing to complete yet: the step has no objects. Discontinue it instead.</source>
        <translation>Noch nichts abzuschließen: Der Schritt hat keine Objekte. Stattdessen abbrechen.</translation>
    </message>
    <message>
        <source>Step {id}</source>
        <translation>Schritt {id}</translation>
    </message>
    <message>
        <source>The examination is completed and locked. The MPPS and the after-exam rules run in the job queue.</source>
        <translation>Die Untersuchung ist abgeschlossen und gesperrt. MPPS und die Regeln nach der Untersuchung laufen in der Auftragsliste.</translation>
    </message>
    <message>
        <source>The examination is discontinued ({reason}) and locked.</source>
        <translation>Die Untersuchung ist abgebrochen ({reason}) und gesperrt.</translation>
    </message>
    <message>
        <source>born {date}</source>
        <translation>geb. {date}</translation>
    </message>
    <message>
        <source>female</source>
        <translation>weiblich</translation>
    </message>
    <message numerus="yes">
        <source>in %n series</source>
        <translation>
            <numerusform>in %n Serie</numerusform>
            <numerusform>in %n Serien</numerusform>
        </translation>
    </message>
    <message>
        <source>locked</source>
        <translation>gesperrt</translation>
    </message>
    <message>
        <source>male</source>
        <translation>männlich</translation>
    </message>
    <message>
        <source>other</source>
        <translation>divers</translation>
    </message>
    <message>
        <source>retrying: {reason}</source>
        <translation>neuer Versuch folgt: {reason}</translation>
    </message>
    <message>
        <source>scheduled (worklist)</source>
        <translation>geplant (Worklist)</translation>
    </message>
    <message>
        <source>unscheduled</source>
        <translation>ungeplant</translation>
    </message>
    <message>
        <source>waits until the patient data is complete</source>
        <translation>wartet auf vollständige Patientendaten</translation>
    </message>
    <message>
        <source>Close the examination</source>
        <translation>Untersuchung schließen</translation>
    </message>
    <message>
        <source>Files are still being added: close the examination when they are in.</source>
        <translation>Es werden noch Dateien hinzugefügt: Untersuchung schließen, wenn sie übernommen sind.</translation>
    </message>
    <message>
        <source>Keep open (IN PROGRESS)</source>
        <translation>Offen lassen (IN PROGRESS)</translation>
    </message>
    <message>
        <source>The examination of {name} is still open. How should it end?</source>
        <translation>Die Untersuchung von {name} ist noch offen. Wie soll sie enden?</translation>
    </message>
</context>
<context>
    <name>Fields</name>
    <message>
        <source>Local AE title</source>
        <translation>Lokaler AE-Titel</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>Listen on address</source>
        <translation>Empfangsadresse</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <source>Minimum free space</source>
        <translation>Mindestens freier Speicherplatz</translation>
    </message>
    <message>
        <source>Simultaneous associations</source>
        <translation>Gleichzeitige Assoziationen</translation>
    </message>
    <message>
        <source>Accept known callers only</source>
        <translation>Nur bekannte Aufrufer annehmen</translation>
    </message>
    <message>
        <source>Accept our called AE title only</source>
        <translation>Nur den eigenen gerufenen AE-Titel annehmen</translation>
    </message>
    <message>
        <source>Duplicate instances</source>
        <translation>Doppelte Instanzen</translation>
    </message>
    <message>
        <source>Maximum PDU size</source>
        <translation>Maximale PDU-Größe</translation>
    </message>
    <message>
        <source>Connect timeout</source>
        <translation>Zeitlimit Verbindungsaufbau</translation>
    </message>
    <message>
        <source>Association timeout (ACSE)</source>
        <translation>Zeitlimit Assoziation (ACSE)</translation>
    </message>
    <message>
        <source>Message timeout (DIMSE)</source>
        <translation>Zeitlimit Nachricht (DIMSE)</translation>
    </message>
    <message>
        <source>Network timeout</source>
        <translation>Zeitlimit Netzwerk</translation>
    </message>
    <message>
        <source>Remote nodes</source>
        <translation>Entfernte Knoten</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>TLS certificate</source>
        <translation>TLS-Zertifikat</translation>
    </message>
    <message>
        <source>TLS private key</source>
        <translation>Privater TLS-Schlüssel</translation>
    </message>
    <message>
        <source>Automatic cleanup</source>
        <translation>Automatische Bereinigung</translation>
    </message>
    <message>
        <source>Cleanup starts below</source>
        <translation>Bereinigung beginnt unter</translation>
    </message>
    <message>
        <source>Cleanup stops above</source>
        <translation>Bereinigung endet über</translation>
    </message>
    <message>
        <source>Wait for the commitment report on the same association</source>
        <translation>Auf den Commitment-Bericht in derselben Assoziation warten</translation>
    </message>
    <message>
        <source>Storage commitment timeout</source>
        <translation>Zeitlimit für Storage Commitment</translation>
    </message>
    <message>
        <source>Send tries</source>
        <translation>Sendeversuche</translation>
    </message>
    <message>
        <source>Delay before a send is tried again</source>
        <translation>Wartezeit vor einem erneuten Sendeversuch</translation>
    </message>
    <message>
        <source>Send timeout</source>
        <translation>Zeitlimit beim Senden</translation>
    </message>
    <message>
        <source>Query result limit</source>
        <translation>Höchstzahl der Suchergebnisse</translation>
    </message>
    <message>
        <source>Retrieve timeout</source>
        <translation>Zeitlimit für das Abrufen</translation>
    </message>
    <message>
        <source>Settings version</source>
        <translation>Version der Einstellungen</translation>
    </message>
    <message>
        <source>Remote node</source>
        <translation>Entfernter Knoten</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>AE title</source>
        <translation>AE-Titel</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <source>Storage commitment</source>
        <translation>Storage Commitment</translation>
    </message>
    <message>
        <source>Compression when sending</source>
        <translation>Kompression beim Senden</translation>
    </message>
    <message>
        <source>Film sizes</source>
        <translation>Filmformate</translation>
    </message>
    <message>
        <source>Film size</source>
        <translation>Filmformat</translation>
    </message>
    <message>
        <source>Pixel matrix columns</source>
        <translation>Pixelmatrix Spalten</translation>
    </message>
    <message>
        <source>Pixel matrix rows</source>
        <translation>Pixelmatrix Zeilen</translation>
    </message>
    <message>
        <source>Dots per inch</source>
        <translation>Punkte pro Zoll</translation>
    </message>
    <message>
        <source>Display formats</source>
        <translation>Aufteilungen</translation>
    </message>
    <message>
        <source>Orientation</source>
        <translation>Ausrichtung</translation>
    </message>
    <message>
        <source>Magnification</source>
        <translation>Vergrößerung</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>Glättung</translation>
    </message>
    <message>
        <source>Border density</source>
        <translation>Randdichte</translation>
    </message>
    <message>
        <source>Empty image density</source>
        <translation>Dichte leerer Felder</translation>
    </message>
    <message>
        <source>Minimum density</source>
        <translation>Minimale Dichte</translation>
    </message>
    <message>
        <source>Maximum density</source>
        <translation>Maximale Dichte</translation>
    </message>
    <message>
        <source>Media</source>
        <translation>Medien</translation>
    </message>
    <message>
        <source>Destinations</source>
        <translation>Ausgaben</translation>
    </message>
    <message>
        <source>Bits per pixel</source>
        <translation>Bits pro Pixel</translation>
    </message>
    <message>
        <source>Maximum copies</source>
        <translation>Maximale Kopien</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Retries</source>
        <translation>Wiederholungen</translation>
    </message>
    <message>
        <source>Delay before a retry</source>
        <translation>Wartezeit vor einer Wiederholung</translation>
    </message>
    <message>
        <source>Film annotation height</source>
        <translation>Höhe der Filmbeschriftung</translation>
    </message>
    <message>
        <source>Remote node: {field}</source>
        <translation>Entfernter Knoten: {field}</translation>
    </message>
    <message>
        <source>Remote node {number}: {field}</source>
        <translation>Entfernter Knoten {number}: {field}</translation>
    </message>
    <message>
        <source>Printer: {field}</source>
        <translation>Drucker: {field}</translation>
    </message>
    <message>
        <source>After-exam rules</source>
        <translation>Regeln nach der Untersuchung</translation>
    </message>
    <message>
        <source>MPPS node</source>
        <translation>MPPS-Knoten</translation>
    </message>
    <message>
        <source>Station name</source>
        <translation>Stationsname</translation>
    </message>
    <message>
        <source>This station&apos;s modality</source>
        <translation>Modalität dieser Station</translation>
    </message>
    <message>
        <source>Worklist: automatic refresh</source>
        <translation>Worklist: automatische Aktualisierung</translation>
    </message>
    <message>
        <source>Worklist: maximum items</source>
        <translation>Worklist: höchstens Einträge</translation>
    </message>
    <message>
        <source>Worklist: response timeout</source>
        <translation>Worklist: Zeitlimit für Antworten</translation>
    </message>
    <message>
        <source>Worklist: scheduled date</source>
        <translation>Worklist: geplantes Datum</translation>
    </message>
</context>
<context>
    <name>FilmOutputs</name>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Print films</source>
        <translation>Filme drucken</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Als PDF speichern…</translation>
    </message>
    <message>
        <source>System printer…</source>
        <translation>Systemdrucker…</translation>
    </message>
    <message>
        <source>The films hold no image yet.</source>
        <translation>Die Filme enthalten noch kein Bild.</translation>
    </message>
    <message>
        <source>Choose a DICOM printer to print films on.</source>
        <translation>Zum Drucken von Filmen einen DICOM-Drucker wählen.</translation>
    </message>
    <message numerus="yes">
        <source>%n film(s) queued for printer %1 (job %2). The Jobs panel shows the progress.</source>
        <translation>
            <numerusform>%n Film für Drucker %1 eingereiht (Auftrag %2). Der Fortschritt steht in der Auftragsliste.</numerusform>
            <numerusform>%n Filme für Drucker %1 eingereiht (Auftrag %2). Der Fortschritt steht in der Auftragsliste.</numerusform>
        </translation>
    </message>
    <message>
        <source>Films not printed on %1: %2 The films are kept: Retry in the Jobs panel prints them again.</source>
        <translation>Filme nicht auf %1 gedruckt: %2 Die Filme bleiben erhalten: Wiederholen in der Auftragsliste druckt sie erneut.</translation>
    </message>
    <message>
        <source>Job %1: films printed on %2.</source>
        <translation>Auftrag %1: Filme auf %2 gedruckt.</translation>
    </message>
    <message>
        <source>Printer %1 did not take the films (%2); trying again (attempt %3 of %4).</source>
        <translation>Drucker %1 hat die Filme nicht angenommen (%2); neuer Versuch (Versuch %3 von %4).</translation>
    </message>
    <message>
        <source>Save films as PDF</source>
        <translation>Filme als PDF speichern</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Cancel PDF</source>
        <translation>PDF abbrechen</translation>
    </message>
    <message>
        <source>Writing the PDF: film %1 of %2…</source>
        <translation>PDF wird geschrieben: Film %1 von %2…</translation>
    </message>
    <message>
        <source>PDF not written: %1</source>
        <translation>PDF nicht geschrieben: %1</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>Films saved as %1 (film size, print at 100 %).</source>
        <translation>Filme als %1 gespeichert (Filmgröße, mit 100 % drucken).</translation>
    </message>
    <message numerus="yes">
        <source>%n film(s) sent to the system printer.</source>
        <translation>
            <numerusform>%n Film an den Systemdrucker gesendet.</numerusform>
            <numerusform>%n Filme an den Systemdrucker gesendet.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FilmPanel</name>
    <message>
        <source>Film</source>
        <translation>Film</translation>
    </message>
    <message>
        <source>Portrait</source>
        <translation>Hochformat</translation>
    </message>
    <message>
        <source>Landscape</source>
        <translation>Querformat</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Farbe</translation>
    </message>
    <message>
        <source>Film annotations</source>
        <translation>Filmbeschriftung</translation>
    </message>
    <message>
        <source>Patient, study, date, series and image numbers, institution and a 1 cm scale, printed on the film at the height set for the printer</source>
        <translation>Patient, Studie, Datum, Serien- und Bildnummern, Einrichtung und ein 1-cm-Maßstab, in der für den Drucker eingestellten Höhe auf den Film gedruckt</translation>
    </message>
    <message>
        <source>True size (1 cm = 1 cm)</source>
        <translation>Originalgröße (1 cm = 1 cm)</translation>
    </message>
    <message>
        <source>Print at the size of the patient from Pixel Spacing; boxes where that is not possible say why under the film</source>
        <translation>In Patientengröße nach Pixel Spacing drucken; wo das nicht möglich ist, steht der Grund unter dem Film</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Drucker</translation>
    </message>
    <message>
        <source>Film size</source>
        <translation>Filmformat</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>Aufteilung</translation>
    </message>
    <message>
        <source>Orientation</source>
        <translation>Ausrichtung</translation>
    </message>
    <message>
        <source>Copies</source>
        <translation>Kopien</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>Medium</translation>
    </message>
    <message>
        <source>Destination</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>No DICOM printer: PDF or system printer</source>
        <translation>Kein DICOM-Drucker: PDF oder Systemdrucker</translation>
    </message>
    <message>
        <source>RGB</source>
        <translation>RGB</translation>
    </message>
    <message>
        <source>%1 bit</source>
        <translation>%1 Bit</translation>
    </message>
    <message>
        <source>Printer matrix %1 × %2 pixels, %3, %4 mm per pixel</source>
        <translation>Druckermatrix %1 × %2 Pixel, %3, %4 mm pro Pixel</translation>
    </message>
</context>
<context>
    <name>FilmPreview</name>
    <message>
        <source>Window: width %1, centre %2</source>
        <translation>Fenster: Breite %1, Zentrum %2</translation>
    </message>
    <message>
        <source>Zoom ×%1</source>
        <translation>Zoom ×%1</translation>
    </message>
</context>
<context>
    <name>FreeSpaceIndicator</name>
    <message>
        <source>Free: unknown</source>
        <translation>Frei: unbekannt</translation>
    </message>
    <message>
        <source>Free: %1</source>
        <translation>Frei: %1</translation>
    </message>
    <message>
        <source>Free space in the image store. New images are refused below %1.</source>
        <translation>Freier Speicherplatz im Bildspeicher. Unter %1 werden neue Bilder abgelehnt.</translation>
    </message>
    <message>
        <source>Automatic cleanup starts below %1.</source>
        <translation>Die automatische Bereinigung beginnt unter %1.</translation>
    </message>
</context>
<context>
    <name>ImportController</name>
    <message>
        <source>Import DICOM files</source>
        <extracomment>an import job of ours started (True) or none is running any more (False) an import job ended (job id); the browser refreshes on this</extracomment>
        <translation>DICOM-Dateien importieren</translation>
    </message>
    <message>
        <source>DICOM files (*.dcm *.DCM *.dicom *.ima *.IMA);;All files (*)</source>
        <translation>DICOM-Dateien (*.dcm *.DCM *.dicom *.ima *.IMA);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Import a folder (with its subfolders)</source>
        <translation>Ordner importieren (mit Unterordnern)</translation>
    </message>
    <message>
        <source>Import a DICOMDIR (CD, DVD or USB medium)</source>
        <translation>DICOMDIR importieren (CD, DVD oder USB-Medium)</translation>
    </message>
    <message>
        <source>DICOMDIR (DICOMDIR dicomdir);;All files (*)</source>
        <translation>DICOMDIR (DICOMDIR dicomdir);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Import finished: %1.</source>
        <translation>Import abgeschlossen: %1.</translation>
    </message>
    <message>
        <source>Some files were not imported; see the details for each file and why.</source>
        <translation>Einige Dateien wurden nicht importiert; die Details nennen jede Datei und den Grund.</translation>
    </message>
    <message>
        <source>Import cancelled: %1</source>
        <translation>Import abgebrochen: %1</translation>
    </message>
    <message>
        <source>Import failed: %1</source>
        <translation>Import fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
</context>
<context>
    <name>JobsPanel</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Log…</source>
        <translation>Protokoll…</translation>
    </message>
    <message>
        <source>Stop the selected jobs</source>
        <translation>Die ausgewählten Aufträge anhalten</translation>
    </message>
    <message>
        <source>Run the selected failed or cancelled jobs again</source>
        <translation>Die ausgewählten fehlgeschlagenen oder abgebrochenen Aufträge erneut ausführen</translation>
    </message>
    <message>
        <source>Remove the selected jobs from the list</source>
        <translation>Die ausgewählten Aufträge aus der Liste entfernen</translation>
    </message>
    <message>
        <source>Show what the selected job did</source>
        <translation>Zeigen, was der ausgewählte Auftrag getan hat</translation>
    </message>
    <message>
        <source>Log of %1 #%2</source>
        <translation>Protokoll von %1 #%2</translation>
    </message>
</context>
<context>
    <name>JobsTableModel</name>
    <message>
        <source>Job</source>
        <translation>Auftrag</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Was</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Retrieve</source>
        <translation>Abrufen</translation>
    </message>
    <message>
        <source>Storage commitment</source>
        <translation>Speicherbestätigung</translation>
    </message>
    <message>
        <source>Storage cleanup</source>
        <translation>Speicherbereinigung</translation>
    </message>
    <message>
        <source>Commitment report</source>
        <translation>Commitment-Bericht</translation>
    </message>
    <message>
        <source>Commitment deadline</source>
        <translation>Commitment-Frist</translation>
    </message>
    <message>
        <source>Procedure step started (MPPS)</source>
        <translation>Untersuchungsschritt begonnen (MPPS)</translation>
    </message>
    <message>
        <source>Procedure step ended (MPPS)</source>
        <translation>Untersuchungsschritt beendet (MPPS)</translation>
    </message>
    <message>
        <source>report owed to %1</source>
        <translation>Bericht ausstehend an %1</translation>
    </message>
    <message>
        <source>waiting for the report of %1</source>
        <translation>wartet auf den Bericht zu %1</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>Drucken</translation>
    </message>
    <message>
        <source>Burn media</source>
        <translation>Medium brennen</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <source>Retry at %1</source>
        <translation>Neuer Versuch um %1</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartet</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 und %n weiterer</numerusform>
            <numerusform>%1 und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 item(s) to %2</source>
        <translation>%1 Element(e) an %2</translation>
    </message>
    <message>
        <source>%1 %2 from %3 (%4)</source>
        <translation>%1 %2 von %3 (%4)</translation>
    </message>
    <message>
        <source>%1 instance(s) at %2</source>
        <translation>%1 Instanz(en) bei %2</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>starting…</source>
        <translation>startet…</translation>
    </message>
    <message>
        <source>Interrupted by a restart</source>
        <translation>Durch einen Neustart unterbrochen</translation>
    </message>
    <message>
        <source>Last error: %1</source>
        <translation>Letzter Fehler: %1</translation>
    </message>
</context>
<context>
    <name>LayoutDialog</name>
    <message>
        <source>Custom layout</source>
        <translation>Eigenes Layout</translation>
    </message>
    <message>
        <source>Rows:</source>
        <translation>Zeilen:</translation>
    </message>
    <message>
        <source>Columns:</source>
        <translation>Spalten:</translation>
    </message>
</context>
<context>
    <name>LocalNodePage</name>
    <message>
        <source>1 to 16 characters, no backslash</source>
        <translation>1 bis 16 Zeichen, kein Backslash</translation>
    </message>
    <message>
        <source>0.0.0.0 = every network interface</source>
        <translation>0.0.0.0 = alle Netzwerkschnittstellen</translation>
    </message>
    <message>
        <source>Accept associations only from the configured remote nodes</source>
        <translation>Assoziationen nur von den eingetragenen entfernten Knoten annehmen</translation>
    </message>
    <message>
        <source>Accept associations only when addressed to the local AE title</source>
        <translation>Assoziationen nur annehmen, wenn sie an den lokalen AE-Titel gerichtet sind</translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation>unbegrenzt</translation>
    </message>
    <message>
        <source> bytes</source>
        <translation> Byte</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Changing the data folder reopens the local store in the new folder. Images already stored stay in the old folder and are not moved.</source>
        <translation>Ein neuer Datenordner öffnet den lokalen Speicher im neuen Ordner. Bereits gespeicherte Bilder bleiben im alten Ordner und werden nicht verschoben.</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>nicht festgelegt</translation>
    </message>
    <message>
        <source>TLS certificate</source>
        <translation>TLS-Zertifikat</translation>
    </message>
    <message>
        <source>TLS private key</source>
        <translation>Privater TLS-Schlüssel</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>Identität</translation>
    </message>
    <message>
        <source>Local AE title:</source>
        <translation>Lokaler AE-Titel:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Listen on address:</source>
        <translation>Empfangsadresse:</translation>
    </message>
    <message>
        <source>Associations</source>
        <translation>Assoziationen</translation>
    </message>
    <message>
        <source>Simultaneous associations:</source>
        <translation>Gleichzeitige Assoziationen:</translation>
    </message>
    <message>
        <source>Maximum PDU size:</source>
        <translation>Maximale PDU-Größe:</translation>
    </message>
    <message>
        <source>Timeouts</source>
        <translation>Zeitlimits</translation>
    </message>
    <message>
        <source>Connect:</source>
        <translation>Verbindungsaufbau:</translation>
    </message>
    <message>
        <source>Association (ACSE):</source>
        <translation>Assoziation (ACSE):</translation>
    </message>
    <message>
        <source>Message (DIMSE):</source>
        <translation>Nachricht (DIMSE):</translation>
    </message>
    <message>
        <source>Network idle:</source>
        <translation>Netzwerk ohne Daten:</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Ordner:</translation>
    </message>
    <message>
        <source>TLS (recorded for later; not used yet)</source>
        <translation>TLS (für später hinterlegt, noch nicht verwendet)</translation>
    </message>
    <message>
        <source>Certificate:</source>
        <translation>Zertifikat:</translation>
    </message>
    <message>
        <source>Private key:</source>
        <translation>Privater Schlüssel:</translation>
    </message>
    <message>
        <source>Apply restarts the DICOM node with these values; associations in progress are given a few seconds to finish.</source>
        <translation>„Anwenden“ startet den DICOM-Knoten mit diesen Werten neu; laufende Assoziationen erhalten einige Sekunden, um abzuschließen.</translation>
    </message>
    <message>
        <source>Certificates and keys (*.pem *.crt *.cer *.key);;All files (*)</source>
        <translation>Zertifikate und Schlüssel (*.pem *.crt *.cer *.key);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Workstation — %1</source>
        <translation>Workstation — %1</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Patienten</translation>
    </message>
    <message>
        <source>Query/Retrieve</source>
        <translation>Suchen/Abrufen</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Aufträge</translation>
    </message>
    <message>
        <source>Import &amp;files…</source>
        <translation>&amp;Dateien importieren…</translation>
    </message>
    <message>
        <source>Import DICOM files into the local store</source>
        <translation>DICOM-Dateien in den lokalen Speicher importieren</translation>
    </message>
    <message>
        <source>Import f&amp;older…</source>
        <translation>&amp;Ordner importieren…</translation>
    </message>
    <message>
        <source>Import every DICOM file in a folder and its subfolders</source>
        <translation>Alle DICOM-Dateien eines Ordners und seiner Unterordner importieren</translation>
    </message>
    <message>
        <source>Import &amp;DICOMDIR…</source>
        <translation>DICOMDIR &amp;importieren…</translation>
    </message>
    <message>
        <source>Import the studies of a CD, DVD or USB medium</source>
        <translation>Die Studien einer CD, DVD oder eines USB-Mediums importieren</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>Delete the selected studies (or series) from the local store</source>
        <translation>Die ausgewählten Studien (oder Serien) aus dem lokalen Speicher löschen</translation>
    </message>
    <message>
        <source>Select &amp;all</source>
        <translation>&amp;Alles auswählen</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen…</translation>
    </message>
    <message>
        <source>Search by patient name, ID, accession number, date or modality</source>
        <translation>Nach Patientenname, ID, Auftragsnummer (Accession Number), Datum oder Modalität suchen</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>&amp;Job panel</source>
        <translation>&amp;Auftragsliste</translation>
    </message>
    <message>
        <source>&amp;Service mode…</source>
        <translation>&amp;Servicemodus…</translation>
    </message>
    <message>
        <source>Settings of the DICOM node, remote nodes and storage (service engineer)</source>
        <translation>Einstellungen des DICOM-Knotens, der entfernten Knoten und des Speichers (Servicetechniker)</translation>
    </message>
    <message>
        <source>Storage &amp;cleanup…</source>
        <translation>Speicher &amp;bereinigen…</translation>
    </message>
    <message>
        <source>See what fills the disk and delete old studies</source>
        <translation>Sehen, was den Datenträger füllt, und alte Studien löschen</translation>
    </message>
    <message>
        <source>&amp;About Workstation</source>
        <translation>&amp;Über Workstation</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Send to</source>
        <translation>&amp;Senden an</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Extras</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Import %v / %m</source>
        <translation>Import %v / %m</translation>
    </message>
    <message>
        <source>About Workstation</source>
        <translation>Über Workstation</translation>
    </message>
    <message>
        <source>Workstation %1

A DICOM workstation: local store, DICOM node, import and job queue.
Local AE title: %2, port %3.
Data folder: %4</source>
        <translation>Workstation %1

Eine DICOM-Workstation: lokaler Speicher, DICOM-Knoten, Import und Auftragswarteschlange.
Lokaler AE-Titel: %2, Port %3.
Datenordner: %4</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>Serie</translation>
    </message>
    <message>
        <source>This series has no image to show.</source>
        <translation>Diese Serie enthält kein darstellbares Bild.</translation>
    </message>
    <message>
        <source>This series holds nothing the viewer can show.</source>
        <translation>Diese Serie enthält nichts, was der Viewer anzeigen kann.</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>Objekte</translation>
    </message>
    <message>
        <source>Empty local store</source>
        <translation>Lokaler Speicher ist leer</translation>
    </message>
    <message>
        <source>The local store holds no studies yet.

Load the sample studies shipped with the program (CT, MR, CR, US and more, anonymous test data)? They are imported as a job; you can delete them later.</source>
        <translation>Der lokale Speicher enthält noch keine Studien.

Die mitgelieferten Beispielstudien laden (CT, MR, CR, US und mehr, anonyme Testdaten)? Sie werden als Auftrag importiert und können später gelöscht werden.</translation>
    </message>
    <message>
        <source>Worklist</source>
        <translation>Worklist</translation>
    </message>
    <message>
        <source>Film</source>
        <translation>Film</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>The settings file {path} cannot be used: {reason}</source>
        <translation>Die Einstellungsdatei {path} ist nicht verwendbar: {reason}</translation>
    </message>
    <message>
        <source>Local store error: {detail}</source>
        <translation>Fehler im lokalen Speicher: {detail}</translation>
    </message>
    <message>
        <source>Not a DICOM file: {reason}</source>
        <translation>Keine DICOM-Datei: {reason}</translation>
    </message>
    <message>
        <source>Unreadable DICOM data: {reason}</source>
        <translation>Nicht lesbare DICOM-Daten: {reason}</translation>
    </message>
    <message>
        <source>Missing or empty {attribute}</source>
        <translation>{attribute} fehlt oder ist leer</translation>
    </message>
    <message>
        <source>Invalid {attribute}: {value}</source>
        <translation>Ungültige {attribute}: {value}</translation>
    </message>
    <message>
        <source>Only {free_mb:.0f} MB free, below the minimum of {threshold_mb:.0f} MB</source>
        <translation>Nur {free_mb:.0f} MB frei, weniger als das Minimum von {threshold_mb:.0f} MB</translation>
    </message>
    <message>
        <source>The index was written by a newer program (schema {found}, this one knows {known})</source>
        <translation>Der Index wurde von einem neueren Programm geschrieben (Schema {found}, dieses kennt {known})</translation>
    </message>
    <message>
        <source>The study {study_uid} is not in the local store</source>
        <translation>Die Studie {study_uid} ist nicht im lokalen Speicher</translation>
    </message>
    <message>
        <source>The query cannot be answered: {reason}</source>
        <translation>Die Anfrage kann nicht beantwortet werden: {reason}</translation>
    </message>
    <message>
        <source>The job database was written by a newer program (schema {found}, this one knows {known})</source>
        <translation>Die Auftragsdatenbank wurde von einem neueren Programm geschrieben (Schema {found}, dieses kennt {known})</translation>
    </message>
    <message>
        <source>Invalid parameters for a &apos;{kind}&apos; job: {summary}</source>
        <translation>Ungültige Parameter für einen Auftrag der Art &apos;{kind}&apos;: {summary}</translation>
    </message>
    <message>
        <source>No thumbnail for {path}: {reason}</source>
        <translation>Keine Miniatur für {path}: {reason}</translation>
    </message>
    <message>
        <source>No image from {source}: {reason}</source>
        <translation>Kein Bild aus {source}: {reason}</translation>
    </message>
    <message>
        <source>Frame {frame} does not exist in {source}: it has {count} frame(s)</source>
        <translation>Bild {frame} gibt es in {source} nicht: es hat {count} Bild(er)</translation>
    </message>
    <message>
        <source>Cannot measure {what}: {reason}</source>
        <translation>{what} kann nicht gemessen werden: {reason}</translation>
    </message>
    <message>
        <source>Cannot show {kind}: {reason}</source>
        <translation>{kind} kann nicht angezeigt werden: {reason}</translation>
    </message>
    <message>
        <source>Cannot use {iod}: {reason}</source>
        <translation>{iod} kann nicht verwendet werden: {reason}</translation>
    </message>
    <message>
        <source>Cannot build {iod}: {reason}</source>
        <translation>{iod} kann nicht erstellt werden: {reason}</translation>
    </message>
    <message>
        <source>Cannot register: {field} {rule}</source>
        <translation>Registrierung nicht möglich: {field} {rule}</translation>
    </message>
    <message>
        <source>Cannot save the {kind} in the local store: {reason}</source>
        <translation>{kind} kann nicht im lokalen Speicher gesichert werden: {reason}</translation>
    </message>
    <message>
        <source>Service password: {detail}</source>
        <translation>Service-Passwort: {detail}</translation>
    </message>
    <message>
        <source>The password must have at least {min_length} characters.</source>
        <translation>Das Passwort muss mindestens {min_length} Zeichen haben.</translation>
    </message>
    <message>
        <source>The two passwords are not the same.</source>
        <translation>Die beiden Passwörter stimmen nicht überein.</translation>
    </message>
    <message>
        <source>The password is not correct.</source>
        <translation>Das Passwort ist nicht richtig.</translation>
    </message>
    <message>
        <source>No service password has been set yet.</source>
        <translation>Es wurde noch kein Service-Passwort festgelegt.</translation>
    </message>
    <message>
        <source>A service password is already set.</source>
        <translation>Ein Service-Passwort ist bereits festgelegt.</translation>
    </message>
    <message>
        <source>The service password file {path} cannot be used: {reason}</source>
        <translation>Die Service-Passwortdatei {path} ist nicht verwendbar: {reason}</translation>
    </message>
    <message>
        <source>The host name {host} cannot be resolved.</source>
        <translation>Der Hostname {host} lässt sich nicht auflösen.</translation>
    </message>
    <message>
        <source>Connection refused: nothing accepts connections on {host} port {port}.</source>
        <translation>Verbindung abgelehnt: Auf {host} Port {port} nimmt nichts Verbindungen an.</translation>
    </message>
    <message>
        <source>{host} cannot be reached: {reason}</source>
        <translation>{host} ist nicht erreichbar: {reason}</translation>
    </message>
    <message>
        <source>Cannot connect to {host} port {port}. {reason}</source>
        <translation>Keine Verbindung zu {host} Port {port}. {reason}</translation>
    </message>
    <message>
        <source>Association rejected ({result}) by the {source}: {reason}.</source>
        <translation>Assoziation abgelehnt ({result}) durch {source}: {reason}.</translation>
    </message>
    <message>
        <source>The peer aborted the association ({source}: {reason}).</source>
        <translation>Die Gegenstelle hat die Assoziation abgebrochen ({source}: {reason}).</translation>
    </message>
    <message>
        <source>The peer closed the connection without a DICOM answer: not a DICOM node, or it refuses this computer.</source>
        <translation>Die Gegenstelle hat die Verbindung ohne DICOM-Antwort geschlossen: kein DICOM-Knoten, oder er weist diesen Computer ab.</translation>
    </message>
    <message>
        <source>The peer answered, but not in DICOM: is {port} the DICOM port?</source>
        <translation>Die Gegenstelle hat geantwortet, aber nicht mit DICOM: Ist {port} der DICOM-Port?</translation>
    </message>
    <message>
        <source>The node accepted the association but does not offer Verification (C-ECHO).</source>
        <translation>Der Knoten hat die Assoziation angenommen, bietet aber keine Verification (C-ECHO) an.</translation>
    </message>
    <message>
        <source>The node answered the C-ECHO with status 0x{status_hex}.</source>
        <translation>Der Knoten hat das C-ECHO mit Status 0x{status_hex} beantwortet.</translation>
    </message>
    <message>
        <source>Storage commitment: {detail}</source>
        <translation>Storage Commitment: {detail}</translation>
    </message>
    <message>
        <source>Storage commitment report for an unknown transaction {transaction_uid}.</source>
        <translation>Storage-Commitment-Bericht für eine unbekannte Transaktion {transaction_uid}.</translation>
    </message>
    <message>
        <source>The storage commitment report for {transaction_uid} came too late ({state}).</source>
        <translation>Der Storage-Commitment-Bericht für {transaction_uid} kam zu spät ({state}).</translation>
    </message>
    <message>
        <source>The storage commitment request to {node} failed: {reason}</source>
        <translation>Die Storage-Commitment-Anfrage an {node} ist fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <source>{host} port {port}: {detail}</source>
        <translation>{host} Port {port}: {detail}</translation>
    </message>
    <message>
        <source>Cannot reach {host} port {port}: {detail}</source>
        <translation>{host} Port {port} ist nicht erreichbar: {detail}</translation>
    </message>
    <message>
        <source>{host} port {port} ended the association ({source}: {reason}).</source>
        <translation>{host} Port {port} hat die Assoziation beendet ({source}: {reason}).</translation>
    </message>
    <message>
        <source>No answer from {host} port {port} within {timeout_s} s.</source>
        <translation>Keine Antwort von {host} Port {port} innerhalb von {timeout_s} s.</translation>
    </message>
    <message>
        <source>The node accepted the association but does not offer {service}.</source>
        <translation>Der Knoten hat die Assoziation angenommen, bietet aber {service} nicht an.</translation>
    </message>
    <message>
        <source>{service} failed on {host} port {port}: status 0x{status_hex} ({meaning}){comment}</source>
        <translation>{service} auf {host} Port {port} fehlgeschlagen: Status 0x{status_hex} ({meaning}){comment}</translation>
    </message>
    <message>
        <source>The node {host} port {port} does not know the move destination {destination}: add this workstation to its list of DICOM nodes.</source>
        <translation>Der Knoten {host} Port {port} kennt das Move-Ziel {destination} nicht: Tragen Sie diese Arbeitsstation in seine Liste der DICOM-Knoten ein.</translation>
    </message>
    <message>
        <source>{failed} of {total} instances were not retrieved from {host} port {port}.</source>
        <translation>{failed} von {total} Instanzen wurden nicht von {host} Port {port} abgerufen.</translation>
    </message>
    <message>
        <source>Query key {key}: {reason}</source>
        <translation>Suchschlüssel {key}: {reason}</translation>
    </message>
    <message>
        <source>{count} of the UIDs to send are not in the local store: {uids}</source>
        <translation>{count} der zu sendenden UIDs sind nicht im lokalen Speicher: {uids}</translation>
    </message>
    <message>
        <source>The instance {sop_uid} cannot be converted from {stored} to {target}: {reason}</source>
        <translation>Die Instanz {sop_uid} kann nicht von {stored} nach {target} umgewandelt werden: {reason}</translation>
    </message>
    <message>
        <source>{failed} of {total} instances were not stored at {node}.</source>
        <translation>{failed} von {total} Instanzen wurden bei {node} nicht gespeichert.</translation>
    </message>
    <message>
        <source>The local node {ae_title} is not listening: instances moved to it cannot arrive.</source>
        <translation>Der lokale Knoten {ae_title} ist nicht empfangsbereit: an ihn gesendete Instanzen können nicht ankommen.</translation>
    </message>
    <message>
        <source>MPPS {operation} of {sop_instance_uid} failed on {host} port {port}: status 0x{status_hex} ({meaning}){comment}</source>
        <translation>MPPS-{operation} für {sop_instance_uid} auf {host} Port {port} fehlgeschlagen: Status 0x{status_hex} ({meaning}){comment}</translation>
    </message>
    <message>
        <source>Procedure step {step_id}: {reason}</source>
        <translation>Untersuchungsschritt {step_id}: {reason}</translation>
    </message>
    <message>
        <source>The procedure step {step_id} is {state} and can no longer be changed.</source>
        <translation>Der Untersuchungsschritt {step_id} ist {state} und kann nicht mehr geändert werden.</translation>
    </message>
    <message>
        <source>{reason_code} is not a discontinuation reason of CID 9300.</source>
        <translation>{reason_code} ist kein Abbruchgrund aus CID 9300.</translation>
    </message>
    <message>
        <source>Film layout not possible: {reason}</source>
        <translation>Filmlayout nicht möglich: {reason}</translation>
    </message>
    <message>
        <source>Nothing to print: {reason}</source>
        <translation>Nichts zu drucken: {reason}</translation>
    </message>
    <message>
        <source>Printer {printer} ({host} port {port}): {operation} failed with status 0x{status_hex} ({meaning}){comment}</source>
        <translation>Drucker {printer} ({host} Port {port}): {operation} fehlgeschlagen mit Status 0x{status_hex} ({meaning}){comment}</translation>
    </message>
    <message>
        <source>Printer {printer} ({host} port {port}) reports FAILURE: {info}</source>
        <translation>Drucker {printer} ({host} Port {port}) meldet FEHLER: {info}</translation>
    </message>
    <message>
        <source>The films cannot be written to {path}: {reason}</source>
        <translation>Die Filme können nicht nach {path} geschrieben werden: {reason}</translation>
    </message>
    <message>
        <source>Timeout: no TCP connection within {timeout_s} s.</source>
        <translation>Zeitüberschreitung: keine TCP-Verbindung innerhalb von {timeout_s} s.</translation>
    </message>
    <message>
        <source>Timeout: no answer to the association request within {timeout_s} s.</source>
        <translation>Zeitüberschreitung: keine Antwort auf die Assoziationsanfrage innerhalb von {timeout_s} s.</translation>
    </message>
    <message>
        <source>Timeout: no C-ECHO response within {timeout_s} s.</source>
        <translation>Zeitüberschreitung: keine C-ECHO-Antwort innerhalb von {timeout_s} s.</translation>
    </message>
    <message>
        <source>permanent</source>
        <translation>dauerhaft</translation>
    </message>
    <message>
        <source>transient</source>
        <translation>vorübergehend</translation>
    </message>
    <message>
        <source>called application (service user)</source>
        <translation>die angerufene Anwendung (Service User)</translation>
    </message>
    <message>
        <source>ACSE service provider</source>
        <translation>den ACSE-Dienstanbieter</translation>
    </message>
    <message>
        <source>presentation service provider</source>
        <translation>den Präsentationsdienstanbieter</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>kein Grund angegeben</translation>
    </message>
    <message>
        <source>application context name not supported</source>
        <translation>Application Context Name nicht unterstützt</translation>
    </message>
    <message>
        <source>our calling AE title is not known there</source>
        <translation>unser rufender AE-Titel ist dort nicht bekannt</translation>
    </message>
    <message>
        <source>the called AE title is wrong</source>
        <translation>der angerufene AE-Titel ist falsch</translation>
    </message>
    <message>
        <source>protocol version not supported</source>
        <translation>Protokollversion nicht unterstützt</translation>
    </message>
    <message>
        <source>temporary congestion</source>
        <translation>vorübergehende Überlastung</translation>
    </message>
    <message>
        <source>too many associations (local limit exceeded)</source>
        <translation>zu viele Assoziationen (lokale Grenze überschritten)</translation>
    </message>
    <message>
        <source>service user</source>
        <translation>Service User</translation>
    </message>
    <message>
        <source>service provider</source>
        <translation>Dienstanbieter</translation>
    </message>
    <message>
        <source>reason not specified</source>
        <translation>Grund nicht angegeben</translation>
    </message>
    <message>
        <source>unrecognised PDU</source>
        <translation>unbekannte PDU</translation>
    </message>
    <message>
        <source>unexpected PDU</source>
        <translation>unerwartete PDU</translation>
    </message>
    <message>
        <source>unrecognised PDU parameter</source>
        <translation>unbekannter PDU-Parameter</translation>
    </message>
    <message>
        <source>unexpected PDU parameter</source>
        <translation>unerwarteter PDU-Parameter</translation>
    </message>
    <message>
        <source>invalid PDU parameter value</source>
        <translation>ungültiger PDU-Parameterwert</translation>
    </message>
    <message>
        <source>{field}: {rule}.</source>
        <translation>{field}: {rule}.</translation>
    </message>
    <message>
        <source>{field}: {rule} (entered: {value}).</source>
        <translation>{field}: {rule} (eingegeben: {value}).</translation>
    </message>
</context>
<context>
    <name>NodeDialog</name>
    <message>
        <source>Edit remote node</source>
        <translation>Entfernten Knoten bearbeiten</translation>
    </message>
    <message>
        <source>Add remote node</source>
        <translation>Entfernten Knoten hinzufügen</translation>
    </message>
    <message>
        <source>1 to 16 characters, no backslash</source>
        <translation>1 bis 16 Zeichen, kein Backslash</translation>
    </message>
    <message>
        <source>IP address or host name</source>
        <translation>IP-Adresse oder Hostname</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <source>Request storage commitment after sending</source>
        <translation>Nach dem Senden Storage Commitment anfordern</translation>
    </message>
    <message>
        <source>Uncompressed only</source>
        <translation>Nur unkomprimiert</translation>
    </message>
    <message>
        <source>Lossless compression allowed</source>
        <translation>Verlustfreie Kompression erlaubt</translation>
    </message>
    <message>
        <source>Lossy compression allowed (as stored)</source>
        <translation>Verlustbehaftete Kompression erlaubt (wie gespeichert)</translation>
    </message>
    <message>
        <source>How images may travel to this node. Nothing is ever compressed; an image the node does not take as stored is sent decompressed, and a lossy image stays marked as lossy.</source>
        <translation>Wie Bilder zu diesem Knoten übertragen werden dürfen. Es wird nie komprimiert; ein Bild, das der Knoten nicht wie gespeichert annimmt, wird dekomprimiert gesendet, und ein verlustbehaftetes Bild bleibt als verlustbehaftet gekennzeichnet.</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>AE title:</source>
        <translation>AE-Titel:</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Host:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Sending:</source>
        <translation>Senden:</translation>
    </message>
</context>
<context>
    <name>NodeStatusLabel</name>
    <message>
        <source>%1 · port %2 · listening · 1 association</source>
        <translation>%1 · Port %2 · empfangsbereit · 1 Assoziation</translation>
    </message>
    <message>
        <source>%1 · port %2 · listening · %3 associations</source>
        <translation>%1 · Port %2 · empfangsbereit · %3 Assoziationen</translation>
    </message>
    <message>
        <source>The DICOM node accepts associations as %1 on port %2.</source>
        <translation>Der DICOM-Knoten nimmt Assoziationen als %1 auf Port %2 an.</translation>
    </message>
    <message>
        <source>%1 · port %2 · starting…</source>
        <translation>%1 · Port %2 · startet…</translation>
    </message>
    <message>
        <source>The local store is checked; the node listens as soon as it is done.</source>
        <translation>Der lokale Speicher wird geprüft; der Knoten ist empfangsbereit, sobald das erledigt ist.</translation>
    </message>
    <message>
        <source>%1 · port %2 · NOT listening</source>
        <translation>%1 · Port %2 · NICHT empfangsbereit</translation>
    </message>
    <message>
        <source>The DICOM node does not accept associations: %3</source>
        <translation>Der DICOM-Knoten nimmt keine Assoziationen an: %3</translation>
    </message>
</context>
<context>
    <name>ObjectTab</name>
    <message>
        <source>Object %1</source>
        <extracomment>a line for the status bar (the viewer tab&apos;s signal; nothing here sends one yet)</extracomment>
        <translation>Objekt %1</translation>
    </message>
    <message>
        <source>This object cannot be read: %1</source>
        <translation>Dieses Objekt ist nicht lesbar: %1</translation>
    </message>
    <message>
        <source>No view for this kind of object.</source>
        <translation>Für diese Art von Objekt gibt es keine Ansicht.</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>Service mode</source>
        <translation>Servicemodus</translation>
    </message>
    <message>
        <source>Enter the service password to change the settings.</source>
        <translation>Geben Sie das Service-Passwort ein, um die Einstellungen zu ändern.</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Passwort:</translation>
    </message>
    <message>
        <source>Set the service password</source>
        <translation>Service-Passwort festlegen</translation>
    </message>
    <message>
        <source>No service password has been set yet. Choose one now: it protects the network and storage settings. At least {n} characters.</source>
        <translation>Es wurde noch kein Service-Passwort festgelegt. Wählen Sie jetzt eines: Es schützt die Netzwerk- und Speichereinstellungen. Mindestens {n} Zeichen.</translation>
    </message>
    <message>
        <source>Change the service password</source>
        <translation>Service-Passwort ändern</translation>
    </message>
    <message>
        <source>At least {n} characters.</source>
        <translation>Mindestens {n} Zeichen.</translation>
    </message>
    <message>
        <source>Current password:</source>
        <translation>Aktuelles Passwort:</translation>
    </message>
    <message>
        <source>New password:</source>
        <translation>Neues Passwort:</translation>
    </message>
    <message>
        <source>Repeat the new password:</source>
        <translation>Neues Passwort wiederholen:</translation>
    </message>
</context>
<context>
    <name>PatientBrowser</name>
    <message>
        <source>1 study</source>
        <extracomment>the current study changed (&apos;&apos; when none) a study was double-clicked or Return was pressed on it (for the viewer) a series was double-clicked or Return was pressed on it (opens it in a viewer) studies or series were deleted (their Study Instance UIDs)</extracomment>
        <translation>1 Studie</translation>
    </message>
    <message>
        <source>%1 studies</source>
        <translation>%1 Studien</translation>
    </message>
    <message>
        <source>… and %1 more</source>
        <translation>… und %1 weitere</translation>
    </message>
    <message>
        <source>Delete this study from the local store? Its images are removed from this computer; this cannot be undone.</source>
        <translation>Diese Studie aus dem lokalen Speicher löschen? Ihre Bilder werden von diesem Computer entfernt; das kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Protected studies</source>
        <translation>Geschützte Studien</translation>
    </message>
    <message>
        <source>The selected studies are protected and are not deleted. Remove their protection first.</source>
        <translation>Die ausgewählten Studien sind geschützt und werden nicht gelöscht. Heben Sie zuerst ihren Schutz auf.</translation>
    </message>
    <message>
        <source>Protected, not deleted (remove their protection first):</source>
        <translation>Geschützt, nicht gelöscht (zuerst den Schutz aufheben):</translation>
    </message>
    <message>
        <source>Delete %1 studies from the local store? Their images are removed from this computer; this cannot be undone.</source>
        <translation>%1 Studien aus dem lokalen Speicher löschen? Ihre Bilder werden von diesem Computer entfernt; das kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Delete studies</source>
        <translation>Studien löschen</translation>
    </message>
    <message>
        <source>Delete this series from the local store? This cannot be undone.</source>
        <translation>Diese Serie aus dem lokalen Speicher löschen? Das kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Delete %1 series from the local store? This cannot be undone.</source>
        <translation>%1 Serien aus dem lokalen Speicher löschen? Das kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Delete series</source>
        <translation>Serien löschen</translation>
    </message>
    <message>
        <source>Not committed by the archive</source>
        <translation>Vom Archiv nicht bestätigt</translation>
    </message>
    <message>
        <source>%1 of these studies were sent but the archive has not confirmed (storage commitment) that it keeps them safely. Deleting them may lose the only copy.

Delete anyway?</source>
        <translation>%1 dieser Studien wurden gesendet, aber das Archiv hat nicht bestätigt (Storage Commitment), dass es sie sicher aufbewahrt. Beim Löschen kann die einzige Kopie verloren gehen.

Trotzdem löschen?</translation>
    </message>
</context>
<context>
    <name>PdfView</name>
    <message>
        <source>The PDF document cannot be shown: {error}</source>
        <translation>Das PDF-Dokument kann nicht angezeigt werden: {error}</translation>
    </message>
</context>
<context>
    <name>PresentationActions</name>
    <message>
        <source>Key images</source>
        <translation>Schlüsselbilder</translation>
    </message>
    <message>
        <source>No image is flagged as a key image. Flag images with the Key button (K) first.</source>
        <translation>Kein Bild ist als Schlüsselbild markiert. Markieren Sie Bilder zuerst mit der Schaltfläche Key (K).</translation>
    </message>
    <message>
        <source>Key images not saved</source>
        <translation>Schlüsselbilder nicht gesichert</translation>
    </message>
    <message>
        <source>%1 key images saved to the store.</source>
        <translation>%1 Schlüsselbilder im Speicher gesichert.</translation>
    </message>
    <message>
        <source>Presentation state</source>
        <translation>Presentation State</translation>
    </message>
    <message>
        <source>A grayscale presentation state cannot describe a colour image.</source>
        <translation>Ein Graustufen-Presentation-State kann kein Farbbild beschreiben.</translation>
    </message>
    <message>
        <source>Label:</source>
        <translation>Bezeichnung:</translation>
    </message>
    <message>
        <source>Saved from the viewer</source>
        <translation>Aus dem Viewer gesichert</translation>
    </message>
    <message>
        <source>Presentation state not saved</source>
        <translation>Presentation State nicht gesichert</translation>
    </message>
    <message>
        <source>Presentation state saved to the store.</source>
        <translation>Presentation State im Speicher gesichert.</translation>
    </message>
    <message>
        <source>Viewer capture</source>
        <translation>Viewer-Aufnahme</translation>
    </message>
    <message>
        <source>Capture not saved</source>
        <translation>Aufnahme nicht gesichert</translation>
    </message>
    <message>
        <source>Secondary capture saved to the store.</source>
        <translation>Secondary Capture im Speicher gesichert.</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keiner</translation>
    </message>
    <message>
        <source>None stored</source>
        <translation>Keiner gespeichert</translation>
    </message>
    <message>
        <source>Presentation state not applied</source>
        <translation>Presentation State nicht angewendet</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleichen</translation>
    </message>
    <message>
        <source>No other study of this patient is stored.</source>
        <translation>Keine andere Studie dieses Patienten ist gespeichert.</translation>
    </message>
    <message>
        <source>Study:</source>
        <translation>Studie:</translation>
    </message>
    <message>
        <source>Prior</source>
        <translation>Vorstudie</translation>
    </message>
</context>
<context>
    <name>PrinterDialog</name>
    <message>
        <source>Edit printer</source>
        <translation>Drucker bearbeiten</translation>
    </message>
    <message>
        <source>Add printer</source>
        <translation>Drucker hinzufügen</translation>
    </message>
    <message>
        <source>1 to 16 characters, no backslash</source>
        <translation>1 bis 16 Zeichen, kein Backslash</translation>
    </message>
    <message>
        <source>IP address or host name</source>
        <translation>IP-Adresse oder Hostname</translation>
    </message>
    <message>
        <source>Test printer</source>
        <translation>Drucker testen</translation>
    </message>
    <message>
        <source>Ask the printer for its status (DICOM N-GET)</source>
        <translation>Den Drucker nach seinem Status fragen (DICOM N-GET)</translation>
    </message>
    <message>
        <source>Film size</source>
        <translation>Filmformat</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>Spalten</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>Zeilen</translation>
    </message>
    <message>
        <source>or dpi</source>
        <translation>oder dpi</translation>
    </message>
    <message>
        <source>Add film size</source>
        <translation>Filmformat hinzufügen</translation>
    </message>
    <message>
        <source>Remove film size</source>
        <translation>Filmformat entfernen</translation>
    </message>
    <message>
        <source>One per line: STANDARD\C,R, ROW\n,n,... or COL\n,n,...; the first is the default</source>
        <translation>Eine pro Zeile: STANDARD\C,R, ROW\n,n,... oder COL\n,n,...; die erste ist die Vorgabe</translation>
    </message>
    <message>
        <source>(not sent)</source>
        <translation>(nicht gesendet)</translation>
    </message>
    <message>
        <source>printer specific; empty: not sent</source>
        <translation>druckerspezifisch; leer: nicht gesendet</translation>
    </message>
    <message>
        <source>BLACK, WHITE or hundredths of optical density (e.g. 150)</source>
        <translation>BLACK, WHITE oder Hundertstel optischer Dichte (z. B. 150)</translation>
    </message>
    <message>
        <source>not sent</source>
        <translation>nicht gesendet</translation>
    </message>
    <message>
        <source>Comma separated; the first is the default</source>
        <translation>Durch Kommas getrennt; der erste ist die Vorgabe</translation>
    </message>
    <message>
        <source>Colour printer (Basic Color Print Management)</source>
        <translation>Farbdrucker (Basic Color Print Management)</translation>
    </message>
    <message>
        <source>8 bit</source>
        <translation>8 Bit</translation>
    </message>
    <message>
        <source>12 bit</source>
        <translation>12 Bit</translation>
    </message>
    <message>
        <source>Send a Presentation LUT</source>
        <translation>Presentation LUT senden</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Drucker</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>AE title:</source>
        <translation>AE-Titel:</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Host:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Films</source>
        <translation>Filme</translation>
    </message>
    <message>
        <source>Film sizes and the printer&apos;s pixel matrix (portrait) for each:</source>
        <translation>Filmformate und die Pixelmatrix des Druckers (Hochformat) für jedes:</translation>
    </message>
    <message>
        <source>Display formats:</source>
        <translation>Aufteilungen:</translation>
    </message>
    <message>
        <source>Orientation:</source>
        <translation>Ausrichtung:</translation>
    </message>
    <message>
        <source>Media:</source>
        <translation>Medien:</translation>
    </message>
    <message>
        <source>Destinations:</source>
        <translation>Ausgaben:</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Grey:</source>
        <translation>Grau:</translation>
    </message>
    <message>
        <source>Magnification:</source>
        <translation>Vergrößerung:</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>Glättung:</translation>
    </message>
    <message>
        <source>Border density:</source>
        <translation>Randdichte:</translation>
    </message>
    <message>
        <source>Empty image density:</source>
        <translation>Dichte leerer Felder:</translation>
    </message>
    <message>
        <source>Min density (1/100 OD):</source>
        <translation>Minimale Dichte (1/100 OD):</translation>
    </message>
    <message>
        <source>Max density (1/100 OD):</source>
        <translation>Maximale Dichte (1/100 OD):</translation>
    </message>
    <message>
        <source>Annotation height:</source>
        <translation>Beschriftungshöhe:</translation>
    </message>
    <message>
        <source>Printing</source>
        <translation>Drucken</translation>
    </message>
    <message>
        <source>Maximum copies:</source>
        <translation>Maximale Kopien:</translation>
    </message>
    <message>
        <source>Priority:</source>
        <translation>Priorität:</translation>
    </message>
    <message>
        <source>Retries:</source>
        <translation>Wiederholungen:</translation>
    </message>
    <message>
        <source>Delay before a retry:</source>
        <translation>Wartezeit vor einer Wiederholung:</translation>
    </message>
    <message>
        <source>Message timeout (DIMSE):</source>
        <translation>Nachrichten-Zeitlimit (DIMSE):</translation>
    </message>
</context>
<context>
    <name>PrinterStatusLabel</name>
    <message>
        <source>No DICOM printer chosen: films go to PDF or the system printer.</source>
        <translation>Kein DICOM-Drucker gewählt: Filme gehen als PDF oder an den Systemdrucker.</translation>
    </message>
    <message>
        <source>Asking printer %1 for its status…</source>
        <translation>Drucker %1 wird nach seinem Status gefragt…</translation>
    </message>
    <message>
        <source>Printer %1 not reached: %2</source>
        <translation>Drucker %1 nicht erreicht: %2</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>failure</source>
        <translation>Störung</translation>
    </message>
    <message>
        <source>● %1: %2 (%3)</source>
        <translation>● %1: %2 (%3)</translation>
    </message>
    <message>
        <source>status not known</source>
        <translation>Status unbekannt</translation>
    </message>
</context>
<context>
    <name>PrintersPage</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Film sizes (pixel matrix)</source>
        <translation>Filmformate (Pixelmatrix)</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Copies, retries</source>
        <translation>Kopien, Wiederholungen</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Hinzufügen…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplizieren</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Test printer</source>
        <translation>Drucker testen</translation>
    </message>
    <message>
        <source>Ask the selected printer for its status (N-GET)</source>
        <translation>Den gewählten Drucker nach seinem Status fragen (N-GET)</translation>
    </message>
    <message>
        <source>Select a printer and press Test printer to ask it for its status.</source>
        <translation>Einen Drucker wählen und Drucker testen drücken, um seinen Status zu erfragen.</translation>
    </message>
    <message>
        <source> films per print job</source>
        <translation> Filme pro Druckauftrag</translation>
    </message>
    <message>
        <source>The printer&apos;s queue holds this many film sheets; longer prints are split into several jobs</source>
        <translation>Die Warteschlange des Druckers fasst so viele Filme; längere Drucke werden auf mehrere Aufträge verteilt</translation>
    </message>
    <message>
        <source>Default printer:</source>
        <translation>Standarddrucker:</translation>
    </message>
    <message>
        <source>Printer queue:</source>
        <translation>Drucker-Warteschlange:</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>Farbe</translation>
    </message>
    <message>
        <source>grey %1 bit</source>
        <translation>Grau %1 Bit</translation>
    </message>
    <message>
        <source>up to %1 copies, %2 retries</source>
        <translation>bis %1 Kopien, %2 Wiederholungen</translation>
    </message>
    <message>
        <source>the first printer</source>
        <translation>der erste Drucker</translation>
    </message>
</context>
<context>
    <name>QueryPanel</name>
    <message>
        <source>Study Root</source>
        <translation>Study Root</translation>
    </message>
    <message>
        <source>Patient Root</source>
        <translation>Patient Root</translation>
    </message>
    <message>
        <source>Studies</source>
        <translation>Studien</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Patienten</translation>
    </message>
    <message>
        <source>e.g. SMITH* or *ann*</source>
        <translation>z. B. MEIER* oder *ann*</translation>
    </message>
    <message>
        <source>YYYYMMDD</source>
        <translation>JJJJMMTT</translation>
    </message>
    <message>
        <source>CT, MR, ...</source>
        <translation>CT, MR, ...</translation>
    </message>
    <message>
        <source>words in the description</source>
        <translation>Wörter in der Beschreibung</translation>
    </message>
    <message>
        <source>Any date</source>
        <translation>Beliebiges Datum</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>From … to …</source>
        <translation>Von … bis …</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>C-MOVE to this workstation</source>
        <translation>C-MOVE zu dieser Workstation</translation>
    </message>
    <message>
        <source>C-GET</source>
        <translation>C-GET</translation>
    </message>
    <message>
        <source>Retrieve</source>
        <translation>Abrufen</translation>
    </message>
    <message>
        <source>Node:</source>
        <translation>Knoten:</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>Search for:</source>
        <translation>Suchen nach:</translation>
    </message>
    <message>
        <source>Patient name:</source>
        <translation>Patientenname:</translation>
    </message>
    <message>
        <source>Patient ID:</source>
        <translation>Patienten-ID:</translation>
    </message>
    <message>
        <source>Birth date:</source>
        <translation>Geburtsdatum:</translation>
    </message>
    <message>
        <source>Accession:</source>
        <translation>Auftragsnummer:</translation>
    </message>
    <message>
        <source>Modality:</source>
        <translation>Modalität:</translation>
    </message>
    <message>
        <source>Study date:</source>
        <translation>Studiendatum:</translation>
    </message>
    <message>
        <source>Description:</source>
        <translation>Beschreibung:</translation>
    </message>
    <message>
        <source>Referring physician:</source>
        <translation>Überweisender Arzt:</translation>
    </message>
    <message>
        <source>Retrieve by:</source>
        <translation>Abrufen per:</translation>
    </message>
    <message>
        <source>Patient / study / series / image</source>
        <translation>Patient / Studie / Serie / Bild</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>Patienten-ID</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>Geburtsdatum</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalität</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Accession</source>
        <translation>Auftragsnummer</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>No remote node is configured: add one in Service mode → Remote nodes.</source>
        <translation>Kein entfernter Knoten eingerichtet: im Servicemodus unter Entfernte Knoten einen hinzufügen.</translation>
    </message>
    <message>
        <source>Choose a node to search.</source>
        <translation>Einen Knoten für die Suche wählen.</translation>
    </message>
    <message>
        <source>Searching %1 …</source>
        <translation>Suche in %1 …</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(ohne Namen)</translation>
    </message>
    <message>
        <source>Study</source>
        <translation>Studie</translation>
    </message>
    <message>
        <source>Series %1</source>
        <translation>Serie %1</translation>
    </message>
    <message>
        <source>Image %1</source>
        <translation>Bild %1</translation>
    </message>
    <message>
        <source>Loading …</source>
        <translation>Wird geladen …</translation>
    </message>
    <message>
        <source>%1 matches so far …</source>
        <translation>Bisher %1 Treffer …</translation>
    </message>
    <message>
        <source>Nothing found.</source>
        <translation>Nichts gefunden.</translation>
    </message>
    <message>
        <source>%1 matches.</source>
        <translation>%1 Treffer.</translation>
    </message>
    <message>
        <source>The query failed after %1 matches: %2</source>
        <translation>Die Suche ist nach %1 Treffern fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>The list is incomplete: the limit of %1 results was reached. Narrow the search.</source>
        <translation>Die Liste ist unvollständig: Die Grenze von %1 Ergebnissen wurde erreicht. Die Suche eingrenzen.</translation>
    </message>
    <message>
        <source>Stopped: the list is incomplete.</source>
        <translation>Gestoppt: Die Liste ist unvollständig.</translation>
    </message>
    <message>
        <source>Retrieve started (%1 jobs): see the job panel for progress.</source>
        <translation>Abruf gestartet (%1 Aufträge): Fortschritt in der Auftragsliste.</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <source>1-16 capital letters, digits or &apos;_&apos;, e.g. CT</source>
        <translation>1-16 Großbuchstaben, Ziffern oder &apos;_&apos;, z. B. CT</translation>
    </message>
    <message>
        <source>Accession number:</source>
        <translation>Auftragsnummer:</translation>
    </message>
    <message>
        <source>Birth date:</source>
        <translation>Geburtsdatum:</translation>
    </message>
    <message>
        <source>Complete the emergency registration</source>
        <translation>Notfall-Registrierung ergänzen</translation>
    </message>
    <message>
        <source>Family name:</source>
        <extracomment>the form&apos;s fields in order: (name, label)</extracomment>
        <translation>Nachname:</translation>
    </message>
    <message>
        <source>Family^Given</source>
        <translation>Nachname^Vorname</translation>
    </message>
    <message>
        <source>Fields marked in red must be corrected before the patient can be registered.</source>
        <translation>Rot markierte Felder müssen korrigiert werden, bevor der Patient registriert werden kann.</translation>
    </message>
    <message>
        <source>Given name:</source>
        <translation>Vorname:</translation>
    </message>
    <message>
        <source>Middle name:</source>
        <translation>Zweiter Vorname:</translation>
    </message>
    <message>
        <source>Modality:</source>
        <translation>Modalität:</translation>
    </message>
    <message>
        <source>Name prefix:</source>
        <translation>Namenspräfix (Titel):</translation>
    </message>
    <message>
        <source>Name suffix:</source>
        <translation>Namenssuffix:</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>Patient ID:</source>
        <translation>Patienten-ID:</translation>
    </message>
    <message>
        <source>Performing physician:</source>
        <translation>Durchführender Arzt:</translation>
    </message>
    <message>
        <source>Procedure</source>
        <translation>Untersuchung</translation>
    </message>
    <message>
        <source>Referring physician:</source>
        <translation>Überweisender Arzt:</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>Registrieren</translation>
    </message>
    <message>
        <source>Register from the worklist</source>
        <translation>Aus der Worklist registrieren</translation>
    </message>
    <message>
        <source>Register without a worklist item</source>
        <translation>Ohne Worklist-Eintrag registrieren</translation>
    </message>
    <message>
        <source>Replace the generated ID and name with the patient&apos;s data. The MPPS is sent once the data is complete.</source>
        <translation>Erzeugte ID und erzeugten Namen durch die Patientendaten ersetzen. MPPS wird gesendet, sobald die Daten vollständig sind.</translation>
    </message>
    <message>
        <source>Requested procedure ID:</source>
        <translation>Angeforderte Prozedur-ID:</translation>
    </message>
    <message>
        <source>Save patient data</source>
        <translation>Patientendaten speichern</translation>
    </message>
    <message>
        <source>Sex:</source>
        <translation>Geschlecht:</translation>
    </message>
    <message>
        <source>Study ID:</source>
        <translation>Studien-ID:</translation>
    </message>
    <message>
        <source>Study description:</source>
        <translation>Studienbeschreibung:</translation>
    </message>
    <message>
        <source>The patient and order data come from the worklist and cannot be changed here.</source>
        <translation>Patienten- und Auftragsdaten stammen aus der Worklist und können hier nicht geändert werden.</translation>
    </message>
    <message>
        <source>YYYYMMDD</source>
        <translation>JJJJMMTT</translation>
    </message>
    <message>
        <source>at most 3 name groups (=)</source>
        <translation>höchstens 3 Namensgruppen (=)</translation>
    </message>
    <message>
        <source>at most 5 name parts</source>
        <translation>höchstens 5 Namensteile</translation>
    </message>
    <message>
        <source>at most 64 characters per name part</source>
        <translation>höchstens 64 Zeichen je Namensteil</translation>
    </message>
    <message>
        <source>female</source>
        <translation>weiblich</translation>
    </message>
    <message>
        <source>male</source>
        <translation>männlich</translation>
    </message>
    <message>
        <source>must be female, male, other or unknown</source>
        <translation>muss weiblich, männlich, divers oder unbekannt sein</translation>
    </message>
    <message>
        <source>must not be in the future</source>
        <translation>darf nicht in der Zukunft liegen</translation>
    </message>
    <message>
        <source>no control characters and no backslash</source>
        <translation>keine Steuerzeichen und kein Backslash</translation>
    </message>
    <message>
        <source>other</source>
        <translation>divers</translation>
    </message>
    <message>
        <source>required</source>
        <extracomment>rule codes of RegistrationError, worded for the form</extracomment>
        <translation>Pflichtfeld</translation>
    </message>
    <message>
        <source>the family name is required</source>
        <translation>der Nachname ist Pflicht</translation>
    </message>
    <message>
        <source>this date does not exist</source>
        <translation>dieses Datum gibt es nicht</translation>
    </message>
    <message>
        <source>too long</source>
        <translation>zu lang</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>use YYYYMMDD, e.g. 19700131</source>
        <translation>als JJJJMMTT, z. B. 19700131</translation>
    </message>
</context>
<context>
    <name>RemoteNodesPage</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>AE title</source>
        <translation>AE-Titel</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <source>Last echo</source>
        <translation>Letztes Echo</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>Hinzufügen…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Bearbeiten…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Echo</source>
        <translation>Echo</translation>
    </message>
    <message>
        <source>Send a DICOM C-ECHO to the selected node</source>
        <translation>Ein DICOM-C-ECHO an den ausgewählten Knoten senden</translation>
    </message>
    <message>
        <source>Select a node and press Echo to test the connection.</source>
        <translation>Wählen Sie einen Knoten und klicken Sie auf „Echo“, um die Verbindung zu testen.</translation>
    </message>
    <message>
        <source>Echo to {name} ({aet} at {host}:{port}) running…</source>
        <translation>Echo an {name} ({aet} auf {host}:{port}) läuft…</translation>
    </message>
    <message>
        <source>{name} ({aet} at {host}:{port})</source>
        <translation>{name} ({aet} auf {host}:{port})</translation>
    </message>
    <message>
        <source>OK, {rtt} ms</source>
        <translation>OK, {rtt} ms</translation>
    </message>
    <message>
        <source>Echo to {where} succeeded. Round trip {rtt} ms (with association set-up and release {total} ms).</source>
        <translation>Echo an {where} erfolgreich. Antwortzeit {rtt} ms (mit Auf- und Abbau der Assoziation {total} ms).</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>Echo to {where} failed. {reason}</source>
        <translation>Echo an {where} fehlgeschlagen. {reason}</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>Send to (storage)</source>
        <translation>Senden an (Speicherung)</translation>
    </message>
    <message>
        <source>Query</source>
        <translation>Abfrage</translation>
    </message>
    <message>
        <source>Retrieve from</source>
        <translation>Abrufen von</translation>
    </message>
    <message>
        <source>Move destination</source>
        <translation>Move-Ziel</translation>
    </message>
    <message>
        <source>Storage commitment</source>
        <translation>Storage Commitment</translation>
    </message>
    <message>
        <source>Worklist</source>
        <translation>Worklist</translation>
    </message>
    <message>
        <source>MPPS</source>
        <translation>MPPS</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Drucker</translation>
    </message>
</context>
<context>
    <name>RuleDialog</name>
    <message>
        <source>Action:</source>
        <translation>Aktion:</translation>
    </message>
    <message>
        <source>Add after-exam rule</source>
        <translation>Regel nach der Untersuchung hinzufügen</translation>
    </message>
    <message>
        <source>Also when the step was discontinued</source>
        <translation>Auch wenn der Schritt abgebrochen wurde</translation>
    </message>
    <message>
        <source>Edit after-exam rule</source>
        <translation>Regel nach der Untersuchung bearbeiten</translation>
    </message>
    <message>
        <source>No remote node has the storage role: add one on the Remote nodes page first.</source>
        <translation>Kein entfernter Knoten hat die Rolle Speichern: zuerst auf der Seite „Entfernte Knoten“ einen anlegen.</translation>
    </message>
    <message>
        <source>Request storage commitment</source>
        <translation>Storage Commitment anfordern</translation>
    </message>
    <message>
        <source>Rule enabled</source>
        <translation>Regel aktiv</translation>
    </message>
    <message>
        <source>To node:</source>
        <translation>An Knoten:</translation>
    </message>
</context>
<context>
    <name>Rules</name>
    <message>
        <source>must be at least {n}</source>
        <translation>muss mindestens {n} sein</translation>
    </message>
    <message>
        <source>must be at most {n}</source>
        <translation>darf höchstens {n} sein</translation>
    </message>
    <message>
        <source>must be greater than {n}</source>
        <translation>muss größer als {n} sein</translation>
    </message>
    <message>
        <source>must be less than {n}</source>
        <translation>muss kleiner als {n} sein</translation>
    </message>
    <message>
        <source>must have at least {n} characters</source>
        <translation>muss mindestens {n} Zeichen haben</translation>
    </message>
    <message>
        <source>must have at most {n} characters</source>
        <translation>darf höchstens {n} Zeichen haben</translation>
    </message>
    <message>
        <source>must be a number</source>
        <translation>muss eine Zahl sein</translation>
    </message>
    <message>
        <source>must be one of {choices}</source>
        <translation>muss einer dieser Werte sein: {choices}</translation>
    </message>
    <message>
        <source>must be text</source>
        <translation>muss Text sein</translation>
    </message>
    <message>
        <source>must not contain control characters</source>
        <translation>darf keine Steuerzeichen enthalten</translation>
    </message>
    <message>
        <source>must not contain a backslash</source>
        <translation>darf keinen Backslash enthalten</translation>
    </message>
    <message>
        <source>must use ASCII characters only</source>
        <translation>darf nur ASCII-Zeichen enthalten</translation>
    </message>
    <message>
        <source>must not be empty</source>
        <translation>darf nicht leer sein</translation>
    </message>
    <message>
        <source>must be an IP address or a host name (letters, digits, &apos;-&apos;, &apos;.&apos;)</source>
        <translation>muss eine IP-Adresse oder ein Hostname sein (Buchstaben, Ziffern, &apos;-&apos;, &apos;.&apos;)</translation>
    </message>
    <message>
        <source>must be an IP address of this machine (0.0.0.0 for all)</source>
        <translation>muss eine IP-Adresse dieses Computers sein (0.0.0.0 für alle)</translation>
    </message>
    <message>
        <source>must be 0 (unlimited) or at least {n} bytes</source>
        <translation>muss 0 (unbegrenzt) oder mindestens {n} Byte sein</translation>
    </message>
    <message>
        <source>the name &apos;{name}&apos; is used twice (names ignore case)</source>
        <translation>der Name &apos;{name}&apos; kommt zweimal vor (Groß-/Kleinschreibung zählt nicht)</translation>
    </message>
    <message>
        <source>must be an existing file</source>
        <translation>muss eine vorhandene Datei sein</translation>
    </message>
    <message>
        <source>must be above the value where cleanup starts ({n} MB)</source>
        <translation>muss über dem Wert liegen, bei dem die Bereinigung beginnt ({n} MB)</translation>
    </message>
    <message>
        <source>must look like NAME=AET@HOST:PORT</source>
        <translation>muss die Form NAME=AET@HOST:PORT haben</translation>
    </message>
    <message>
        <source>must look like AET@HOST:PORT</source>
        <translation>muss die Form AET@HOST:PORT haben</translation>
    </message>
    <message>
        <source>must be {n} (migrate older settings first)</source>
        <translation>muss {n} sein (ältere Einstellungen zuerst umwandeln)</translation>
    </message>
    <message>
        <source>must be 1-16 capital letters, digits, &apos;_&apos; or spaces</source>
        <translation>muss aus 1-16 Großbuchstaben, Ziffern, &apos;_&apos; oder Leerzeichen bestehen</translation>
    </message>
    <message>
        <source>must be PORTRAIT or LANDSCAPE</source>
        <translation>muss PORTRAIT oder LANDSCAPE sein</translation>
    </message>
    <message>
        <source>must be HIGH, MED or LOW</source>
        <translation>muss HIGH, MED oder LOW sein</translation>
    </message>
    <message>
        <source>must be 8 or 12</source>
        <translation>muss 8 oder 12 sein</translation>
    </message>
    <message>
        <source>{value} is not STANDARD\C,R, ROW\n,... or COL\n,...</source>
        <translation>{value} ist nicht STANDARD\C,R, ROW\n,... oder COL\n,...</translation>
    </message>
    <message>
        <source>must not list an entry twice</source>
        <translation>darf keinen Eintrag zweimal enthalten</translation>
    </message>
    <message>
        <source>give both matrix columns and rows</source>
        <translation>Spalten und Zeilen der Matrix angeben</translation>
    </message>
    <message>
        <source>give the pixel matrix or the dpi</source>
        <translation>die Pixelmatrix oder die dpi angeben</translation>
    </message>
    <message>
        <source>must be BLACK, WHITE or a number</source>
        <translation>muss BLACK, WHITE oder eine Zahl sein</translation>
    </message>
</context>
<context>
    <name>SearchBar</name>
    <message>
        <source>Patient name (e.g. smith*, mey?r)</source>
        <translation>Patientenname (z. B. schmi*, mey?r)</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>Patienten-ID</translation>
    </message>
    <message>
        <source>Accession no.</source>
        <translation>Auftragsnr.</translation>
    </message>
    <message>
        <source>Study date</source>
        <translation>Studiendatum</translation>
    </message>
    <message>
        <source>Any date</source>
        <translation>Beliebiges Datum</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>Date range…</source>
        <translation>Zeitraum…</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalität</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Show all studies</source>
        <translation>Alle Studien anzeigen</translation>
    </message>
    <message>
        <source>All modalities</source>
        <translation>Alle Modalitäten</translation>
    </message>
</context>
<context>
    <name>SendController</name>
    <message>
        <source>No node configured (Service mode → Remote nodes)</source>
        <translation>Kein Knoten eingerichtet (Servicemodus → Entfernte Knoten)</translation>
    </message>
    <message>
        <source>All of these nodes</source>
        <translation>Alle diese Knoten</translation>
    </message>
    <message>
        <source>Send to</source>
        <translation>Senden an</translation>
    </message>
    <message>
        <source>Sending %1 item(s) to %2: see the job panel.</source>
        <translation>%1 Element(e) werden an %2 gesendet: siehe Auftragsliste.</translation>
    </message>
</context>
<context>
    <name>SeriesTableModel</name>
    <message>
        <source>No.</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalität</translation>
    </message>
    <message>
        <source>Series description</source>
        <translation>Serienbeschreibung</translation>
    </message>
    <message>
        <source>Body part</source>
        <translation>Körperteil</translation>
    </message>
    <message>
        <source>Date / time</source>
        <translation>Datum / Zeit</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
</context>
<context>
    <name>ServiceDialog</name>
    <message>
        <source>Service settings</source>
        <translation>Service-Einstellungen</translation>
    </message>
    <message>
        <source>Local node</source>
        <translation>Lokaler Knoten</translation>
    </message>
    <message>
        <source>Remote nodes</source>
        <translation>Entfernte Knoten</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Printers</source>
        <translation>Drucker</translation>
    </message>
    <message>
        <source>Change service password…</source>
        <translation>Service-Passwort ändern…</translation>
    </message>
    <message>
        <source>No changes to save.</source>
        <translation>Keine Änderungen zu speichern.</translation>
    </message>
    <message>
        <source>The settings could not be saved to {path}: {reason}</source>
        <translation>Die Einstellungen konnten nicht in {path} gespeichert werden: {reason}</translation>
    </message>
    <message>
        <source>The settings were saved but could not be put into effect: {reason}</source>
        <translation>Die Einstellungen wurden gespeichert, konnten aber nicht wirksam werden: {reason}</translation>
    </message>
    <message>
        <source>Settings saved and applied.</source>
        <translation>Einstellungen gespeichert und angewendet.</translation>
    </message>
    <message>
        <source>Not saved. {reason}</source>
        <translation>Nicht gespeichert. {reason}</translation>
    </message>
    <message>
        <source>The service password was changed.</source>
        <translation>Das Service-Passwort wurde geändert.</translation>
    </message>
    <message>
        <source>Examination</source>
        <translation>Untersuchung</translation>
    </message>
    <message>
        <source>Worklist</source>
        <translation>Worklist</translation>
    </message>
</context>
<context>
    <name>StorageCleanupDialog</name>
    <message>
        <source>Storage cleanup</source>
        <translation>Speicherbereinigung</translation>
    </message>
    <message>
        <source>Disk space</source>
        <translation>Speicherplatz</translation>
    </message>
    <message>
        <source>Older than</source>
        <translation>Älter als</translation>
    </message>
    <message>
        <source> days</source>
        <translation> Tage</translation>
    </message>
    <message>
        <source>Larger than</source>
        <translation>Größer als</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>Oldest study date first</source>
        <translation>Ältestes Studiendatum zuerst</translation>
    </message>
    <message>
        <source>Largest first</source>
        <translation>Größte zuerst</translation>
    </message>
    <message>
        <source>Least recently opened first</source>
        <translation>Am längsten nicht geöffnete zuerst</translation>
    </message>
    <message>
        <source>Order:</source>
        <translation>Reihenfolge:</translation>
    </message>
    <message>
        <source>Protect</source>
        <translation>Schützen</translation>
    </message>
    <message>
        <source>Never delete these studies</source>
        <translation>Diese Studien nie löschen</translation>
    </message>
    <message>
        <source>Unprotect</source>
        <translation>Schutz aufheben</translation>
    </message>
    <message>
        <source>Delete selected…</source>
        <translation>Ausgewählte löschen…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>%1 free of %2 (%3 % used) · Store: %4 in %5</source>
        <translation>%1 frei von %2 (%3 % belegt) · Speicher: %4 in %5</translation>
    </message>
    <message>
        <source>New images are refused when less than %1 is free.</source>
        <translation>Neue Bilder werden abgelehnt, wenn weniger als %1 frei ist.</translation>
    </message>
    <message>
        <source>Images are being refused now: free space is too low.</source>
        <translation>Bilder werden jetzt abgelehnt: zu wenig freier Speicherplatz.</translation>
    </message>
    <message>
        <source>Delete studies to receive images again.</source>
        <translation>Löschen Sie Studien, um wieder Bilder zu empfangen.</translation>
    </message>
    <message>
        <source>1 study</source>
        <translation>1 Studie</translation>
    </message>
    <message>
        <source>%1 studies</source>
        <translation>%1 Studien</translation>
    </message>
    <message>
        <source>%1 selected (%2)</source>
        <translation>%1 ausgewählt (%2)</translation>
    </message>
    <message>
        <source>%1 shown</source>
        <translation>%1 angezeigt</translation>
    </message>
    <message>
        <source>Delete studies</source>
        <translation>Studien löschen</translation>
    </message>
    <message>
        <source>The selected studies are protected. Unprotect them first.</source>
        <translation>Die ausgewählten Studien sind geschützt. Heben Sie zuerst den Schutz auf.</translation>
    </message>
    <message>
        <source>Permanently delete %1 (%2) from this workstation?</source>
        <translation>%1 (%2) endgültig von dieser Workstation löschen?</translation>
    </message>
    <message>
        <source>… and %1 more</source>
        <translation>… und %1 weitere</translation>
    </message>
    <message>
        <source>%1 protected in the selection will be kept.</source>
        <translation>%1 geschützte in der Auswahl bleiben erhalten.</translation>
    </message>
    <message>
        <source>Images not stored elsewhere (PACS) are lost.</source>
        <translation>Bilder, die nicht anderswo (PACS) gespeichert sind, gehen verloren.</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>%1 löschen</translation>
    </message>
    <message>
        <source>Deleting studies…</source>
        <translation>Studien werden gelöscht…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Deleted %1, %2 freed.</source>
        <translation>%1 gelöscht, %2 freigegeben.</translation>
    </message>
    <message>
        <source>Cancelled before the end.</source>
        <translation>Vor dem Ende abgebrochen.</translation>
    </message>
    <message>
        <source>%1 kept: protected.</source>
        <translation>%1 behalten: geschützt.</translation>
    </message>
    <message>
        <source>%1 could not be deleted (see the log).</source>
        <translation>%1 konnten nicht gelöscht werden (siehe Protokoll).</translation>
    </message>
</context>
<context>
    <name>StoragePage</name>
    <message>
        <source>Keep the stored copy, discard the new one</source>
        <translation>Gespeicherte Kopie behalten, neue verwerfen</translation>
    </message>
    <message>
        <source>Replace the stored copy with the new one</source>
        <translation>Gespeicherte Kopie durch die neue ersetzen</translation>
    </message>
    <message>
        <source>Below this free space on the data folder&apos;s disk, incoming images are refused (status A700) instead of filling the disk.</source>
        <translation>Unterhalb dieses freien Speicherplatzes auf dem Datenträger des Datenordners werden eingehende Bilder abgelehnt (Status A700), statt den Datenträger zu füllen.</translation>
    </message>
    <message>
        <source>The new language is used from the next start.</source>
        <translation>Die neue Sprache gilt ab dem nächsten Start.</translation>
    </message>
    <message>
        <source>Local store</source>
        <translation>Lokaler Speicher</translation>
    </message>
    <message>
        <source>Duplicate instances (same SOP Instance UID):</source>
        <translation>Doppelte Instanzen (gleiche SOP Instance UID):</translation>
    </message>
    <message>
        <source>Minimum free space:</source>
        <translation>Mindestens freier Speicherplatz:</translation>
    </message>
    <message>
        <source>User interface</source>
        <translation>Benutzeroberfläche</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
</context>
<context>
    <name>StudyTableModel</name>
    <message>
        <source>Committed</source>
        <translation>Bestätigt</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Commit pending</source>
        <translation>Bestätigung ausstehend</translation>
    </message>
    <message>
        <source>Partly sent</source>
        <translation>Teilweise gesendet</translation>
    </message>
    <message>
        <source>Partly committed</source>
        <translation>Teilweise bestätigt</translation>
    </message>
    <message>
        <source>Send failed</source>
        <translation>Senden fehlgeschlagen</translation>
    </message>
    <message>
        <source>Commit failed</source>
        <translation>Bestätigung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>Nicht gesendet</translation>
    </message>
    <message>
        <source>Not sent to any node</source>
        <translation>An keinen Knoten gesendet</translation>
    </message>
    <message>
        <source>Patient name</source>
        <translation>Patientenname</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>Patienten-ID</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>Geburtsdatum</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Geschlecht</translation>
    </message>
    <message>
        <source>Study date</source>
        <translation>Studiendatum</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Study description</source>
        <translation>Studienbeschreibung</translation>
    </message>
    <message>
        <source>Modalities</source>
        <translation>Modalitäten</translation>
    </message>
    <message>
        <source>Accession no.</source>
        <translation>Auftragsnr.</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>Serien</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Archive</source>
        <extracomment>the number of matching studies changed (after a filter, sort or refresh)</extracomment>
        <translation>Archiv</translation>
    </message>
    <message>
        <source>Sent to and committed by the archive nodes</source>
        <translation>An die Archivknoten gesendet und von ihnen bestätigt</translation>
    </message>
</context>
<context>
    <name>StudyUsageModel</name>
    <message>
        <source>Protected</source>
        <translation>Geschützt</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>Patienten-ID</translation>
    </message>
    <message>
        <source>Study date</source>
        <translation>Studiendatum</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalität</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Last opened</source>
        <translation>Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>No valid study date: the day it was received counts</source>
        <translation>Kein gültiges Studiendatum: Es zählt der Tag des Empfangs</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 Byte</translation>
    </message>
    <message>
        <source>Never deleted, neither automatically nor by Delete selected</source>
        <translation>Wird nie gelöscht, weder automatisch noch über „Ausgewählte löschen“</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
</context>
<context>
    <name>ThumbnailStrip</name>
    <message>
        <source>1 image</source>
        <translation>1 Bild</translation>
    </message>
    <message>
        <source>%1 images</source>
        <translation>%1 Bilder</translation>
    </message>
    <message>
        <source>Series {number}: {modality} {description}, {images} images</source>
        <translation>Serie {number}: {modality} {description}, {images} Bilder</translation>
    </message>
    <message>
        <source>No image</source>
        <translation>Kein Bild</translation>
    </message>
</context>
<context>
    <name>ViewerTab</name>
    <message>
        <source>This series cannot be shown here: %1</source>
        <extracomment>a line for the status bar (SOP Instance UID, frame, display: window / rotate / flip_h / invert) for the films</extracomment>
        <translation>Diese Serie kann hier nicht angezeigt werden: %1</translation>
    </message>
    <message>
        <source>File window</source>
        <translation>Fenster der Datei</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>Lung</source>
        <translation>Lunge</translation>
    </message>
    <message>
        <source>Mediastinum</source>
        <translation>Mediastinum</translation>
    </message>
    <message>
        <source>Bone</source>
        <translation>Knochen</translation>
    </message>
    <message>
        <source>Brain</source>
        <translation>Gehirn</translation>
    </message>
    <message>
        <source>Abdomen</source>
        <translation>Abdomen</translation>
    </message>
</context>
<context>
    <name>ViewerToolbar</name>
    <message>
        <source>W/L</source>
        <translation>F/Z</translation>
    </message>
    <message>
        <source>Window/level: drag left-right for width, up-down for centre</source>
        <translation>Fenster: links-rechts ziehen für die Breite, auf-ab für das Zentrum</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>Verschieben</translation>
    </message>
    <message>
        <source>Move the image</source>
        <translation>Das Bild verschieben</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <source>Drag up or down to zoom</source>
        <translation>Zum Zoomen nach oben oder unten ziehen</translation>
    </message>
    <message>
        <source>Select</source>
        <translation>Auswählen</translation>
    </message>
    <message>
        <source>Select an annotation to move it; Delete removes it</source>
        <translation>Eine Annotation auswählen, um sie zu verschieben; Entf entfernt sie</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>Distanz</translation>
    </message>
    <message>
        <source>Measure a distance</source>
        <translation>Eine Distanz messen</translation>
    </message>
    <message>
        <source>Angle</source>
        <translation>Winkel</translation>
    </message>
    <message>
        <source>Measure an angle: three clicks</source>
        <translation>Einen Winkel messen: drei Klicks</translation>
    </message>
    <message>
        <source>Rect ROI</source>
        <translation>Rechteck-ROI</translation>
    </message>
    <message>
        <source>Rectangle ROI: mean, SD, min, max, area</source>
        <translation>Rechteck-ROI: Mittelwert, SD, Min, Max, Fläche</translation>
    </message>
    <message>
        <source>Ellipse ROI</source>
        <translation>Ellipsen-ROI</translation>
    </message>
    <message>
        <source>Ellipse ROI from its centre: mean, SD, min, max, area</source>
        <translation>Ellipsen-ROI vom Mittelpunkt aus: Mittelwert, SD, Min, Max, Fläche</translation>
    </message>
    <message>
        <source>Probe</source>
        <translation>Pixelwert</translation>
    </message>
    <message>
        <source>Pixel value at a point</source>
        <translation>Pixelwert an einem Punkt</translation>
    </message>
    <message>
        <source>Arrow</source>
        <translation>Pfeil</translation>
    </message>
    <message>
        <source>Draw an arrow</source>
        <translation>Einen Pfeil zeichnen</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Place a text note</source>
        <translation>Eine Textnotiz setzen</translation>
    </message>
    <message>
        <source>⟲</source>
        <translation>⟲</translation>
    </message>
    <message>
        <source>Rotate 90° counter-clockwise</source>
        <translation>90° gegen den Uhrzeigersinn drehen</translation>
    </message>
    <message>
        <source>⟳</source>
        <translation>⟳</translation>
    </message>
    <message>
        <source>Rotate 90° clockwise</source>
        <translation>90° im Uhrzeigersinn drehen</translation>
    </message>
    <message>
        <source>Flip</source>
        <translation>Spiegeln</translation>
    </message>
    <message>
        <source>Mirror left-right</source>
        <translation>Links-rechts spiegeln</translation>
    </message>
    <message>
        <source>Invert</source>
        <translation>Invertieren</translation>
    </message>
    <message>
        <source>Invert the grey scale</source>
        <translation>Die Graustufen invertieren</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Fit the image, no rotation, the file&apos;s window</source>
        <translation>Bild einpassen, keine Drehung, Fenster der Datei</translation>
    </message>
    <message>
        <source>Cine</source>
        <translation>Cine</translation>
    </message>
    <message>
        <source>Play the series or frames as a loop</source>
        <translation>Serie oder Frames als Schleife abspielen</translation>
    </message>
    <message>
        <source> fps</source>
        <translation> B/s</translation>
    </message>
    <message>
        <source>Cine frame rate</source>
        <translation>Cine-Bildrate</translation>
    </message>
    <message>
        <source>Layout:</source>
        <translation>Layout:</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>Eigenes…</translation>
    </message>
    <message>
        <source>Window:</source>
        <translation>Fenster:</translation>
    </message>
    <message>
        <source>Window presets (CT presets for CT images only)</source>
        <translation>Fenstervorgaben (CT-Vorgaben nur für CT-Bilder)</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Key</translation>
    </message>
    <message>
        <source>Flag or unflag the image as a key image</source>
        <translation>Das Bild als Schlüsselbild markieren oder die Markierung entfernen</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Sync</translation>
    </message>
    <message>
        <source>Scroll series in the same frame of reference together</source>
        <translation>Serien im selben Bezugssystem gemeinsam blättern</translation>
    </message>
    <message>
        <source>Ref lines</source>
        <translation>Referenzlinien</translation>
    </message>
    <message>
        <source>Show where the active image cuts the other images</source>
        <translation>Zeigen, wo das aktive Bild die anderen Bilder schneidet</translation>
    </message>
    <message>
        <source>PR:</source>
        <translation>PR:</translation>
    </message>
    <message>
        <source>Presentation states and key object selections stored for this series</source>
        <translation>Für diese Serie gespeicherte Presentation States und Key Object Selections</translation>
    </message>
    <message>
        <source>Key images (Key Object Selection)</source>
        <translation>Schlüsselbilder (Key Object Selection)</translation>
    </message>
    <message>
        <source>Presentation state of this display (GSPS)</source>
        <translation>Presentation State dieser Darstellung (GSPS)</translation>
    </message>
    <message>
        <source>Secondary capture of the active viewport</source>
        <translation>Secondary Capture des aktiven Bildfensters</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Save key images, the presentation state or a capture to the store</source>
        <translation>Schlüsselbilder, den Presentation State oder eine Bildschirmaufnahme im Speicher sichern</translation>
    </message>
    <message>
        <source>This image, as shown</source>
        <translation>Dieses Bild, wie angezeigt</translation>
    </message>
    <message>
        <source>Key images of this tab</source>
        <translation>Schlüsselbilder dieses Tabs</translation>
    </message>
    <message>
        <source>Film</source>
        <translation>Film</translation>
    </message>
    <message>
        <source>Put the image shown, or the key images, on the films of the Film tab</source>
        <translation>Das angezeigte Bild oder die Schlüsselbilder auf die Filme des Film-Tabs legen</translation>
    </message>
    <message>
        <source>Compare…</source>
        <translation>Vergleichen…</translation>
    </message>
    <message>
        <source>Open another study of this patient beside this one</source>
        <translation>Eine andere Studie dieses Patienten daneben öffnen</translation>
    </message>
</context>
<context>
    <name>Viewport</name>
    <message>
        <source>LOSSY</source>
        <translation>VERLUSTBEHAFTET</translation>
    </message>
    <message>
        <source>Lossy compressed image: not every detail of the original is preserved</source>
        <translation>Verlustbehaftet komprimiertes Bild: nicht jedes Detail des Originals ist erhalten</translation>
    </message>
    <message>
        <source>KEY</source>
        <translation>KEY</translation>
    </message>
    <message>
        <source>Flagged as a key image</source>
        <translation>Als Schlüsselbild markiert</translation>
    </message>
    <message>
        <source>Annotation</source>
        <translation>Annotation</translation>
    </message>
    <message>
        <source>Text:</source>
        <translation>Text:</translation>
    </message>
    <message>
        <source> (detector)</source>
        <translation> (Detektor)</translation>
    </message>
    <message>
        <source>Image %1/%2</source>
        <translation>Bild %1/%2</translation>
    </message>
    <message>
        <source>Pos %1 mm</source>
        <translation>Pos %1 mm</translation>
    </message>
    <message>
        <source>Thick %1 mm</source>
        <translation>Dicke %1 mm</translation>
    </message>
    <message>
        <source>C %1 / W %2</source>
        <translation>Z %1 / B %2</translation>
    </message>
    <message>
        <source>Zoom %1%</source>
        <translation>Zoom %1%</translation>
    </message>
    <message>
        <source>Cine %1 fps</source>
        <translation>Cine %1 B/s</translation>
    </message>
    <message>
        <source>PR: %1</source>
        <translation>PR: %1</translation>
    </message>
</context>
<context>
    <name>WorklistModel</name>
    <message>
        <source>(binary, {n} bytes)</source>
        <translation>(binär, {n} Bytes)</translation>
    </message>
    <message>
        <source>Accession</source>
        <translation>Auftragsnummer</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>Geburtsdatum</translation>
    </message>
    <message>
        <source>Item {n}</source>
        <translation>Eintrag {n}</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalität</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>Patienten-ID</translation>
    </message>
    <message>
        <source>Patient name</source>
        <translation>Patientenname</translation>
    </message>
    <message>
        <source>Requested procedure</source>
        <translation>Angeforderte Untersuchung</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <extracomment>(attribute of the item, header)</extracomment>
        <translation>Geplant</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Geschlecht</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Station</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <source>discontinued</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>female</source>
        <translation>weiblich</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>in Arbeit</translation>
    </message>
    <message>
        <source>male</source>
        <translation>männlich</translation>
    </message>
    <message>
        <source>other</source>
        <translation>divers</translation>
    </message>
    <message>
        <source>patient arrived</source>
        <translation>Patient angekommen</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>scheduled</source>
        <translation>geplant</translation>
    </message>
    <message>
        <source>started</source>
        <translation>begonnen</translation>
    </message>
    <message>
        <source>items: {n}</source>
        <translation>Einträge: {n}</translation>
    </message>
    <message>
        <source>in examination here</source>
        <translation>hier in Untersuchung</translation>
    </message>
</context>
<context>
    <name>WorklistPage</name>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>A key marked here is sent empty: the worklist returns it but does not match on it (for RIS systems that match poorly).</source>
        <translation>Ein hier markierter Schlüssel wird leer gesendet: Die Worklist liefert ihn, filtert aber nicht danach (für RIS-Systeme, die schlecht filtern).</translation>
    </message>
    <message>
        <source>Automatic refresh every:</source>
        <translation>Automatisch aktualisieren alle:</translation>
    </message>
    <message>
        <source>Broad worklist query</source>
        <translation>Allgemeine Worklist-Abfrage</translation>
    </message>
    <message>
        <source>First node with the worklist role</source>
        <translation>Erster Knoten mit der Rolle Worklist</translation>
    </message>
    <message>
        <source>Maximum items (then C-CANCEL):</source>
        <translation>Höchstens Einträge (dann C-CANCEL):</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalität</translation>
    </message>
    <message>
        <source>Modality filter:</source>
        <translation>Modalitätsfilter:</translation>
    </message>
    <message>
        <source>Only steps for this modality</source>
        <translation>Nur Schritte für diese Modalität</translation>
    </message>
    <message>
        <source>Only steps for this station&apos;s AE title</source>
        <translation>Nur Schritte für den AE-Titel dieser Station</translation>
    </message>
    <message>
        <source>Refresh and limits</source>
        <translation>Aktualisierung und Grenzen</translation>
    </message>
    <message>
        <source>Response timeout:</source>
        <translation>Zeitlimit für Antworten:</translation>
    </message>
    <message>
        <source>Return only, do not match:</source>
        <translation>Nur zurückgeben, nicht filtern:</translation>
    </message>
    <message>
        <source>Scheduled Station AE Title</source>
        <translation>Scheduled Station AE Title</translation>
    </message>
    <message>
        <source>Scheduled date:</source>
        <translation>Geplantes Datum:</translation>
    </message>
    <message>
        <source>Scheduled start date</source>
        <translation>Geplantes Startdatum</translation>
    </message>
    <message>
        <source>Station:</source>
        <translation>Station:</translation>
    </message>
    <message>
        <source>This station&apos;s modality:</source>
        <translation>Modalität dieser Station:</translation>
    </message>
    <message>
        <source>Worklist node:</source>
        <translation>Worklist-Knoten:</translation>
    </message>
    <message>
        <source>e.g. CT, MR, US, OT</source>
        <translation>z. B. CT, MR, US, OT</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
</context>
<context>
    <name>WorklistSettings</name>
    <message>
        <source>No date (every scheduled step)</source>
        <translation>Ohne Datum (alle geplanten Schritte)</translation>
    </message>
    <message>
        <source>Now ± 12 hours</source>
        <translation>Jetzt ± 12 Stunden</translation>
    </message>
    <message>
        <source>Now ± 24 hours</source>
        <translation>Jetzt ± 24 Stunden</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday and today</source>
        <translation>Gestern und heute</translation>
    </message>
    <message>
        <source>{name} (unknown or without this role)</source>
        <translation>{name} (unbekannt oder ohne diese Rolle)</translation>
    </message>
</context>
<context>
    <name>WorklistTab</name>
    <message numerus="yes">
        <source>%n item(s) from {aet} at {time}</source>
        <translation>
            <numerusform>%n Eintrag von {aet} um {time}</numerusform>
            <numerusform>%n Einträge von {aet} um {time}</numerusform>
        </translation>
    </message>
    <message>
        <source>Accession:</source>
        <translation>Auftragsnummer:</translation>
    </message>
    <message>
        <source>Ask the worklist again with the query of the settings (date, station, modality)</source>
        <translation>Die Worklist erneut mit der Abfrage der Einstellungen fragen (Datum, Station, Modalität)</translation>
    </message>
    <message>
        <source>Asking {aet} at {host}:{port}…</source>
        <translation>Frage {aet} auf {host}:{port}…</translation>
    </message>
    <message>
        <source>Attribute</source>
        <translation>Attribut</translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation>Notfall</translation>
    </message>
    <message>
        <source>Item details</source>
        <translation>Details des Eintrags</translation>
    </message>
    <message>
        <source>Limit of {limit} reached: query cancelled, the list is incomplete. Narrow the search.</source>
        <translation>Grenze von {limit} erreicht: Abfrage abgebrochen, die Liste ist unvollständig. Suche eingrenzen.</translation>
    </message>
    <message>
        <source>No worklist node is configured (service mode: a remote node with the Worklist role).</source>
        <translation>Kein Worklist-Knoten eingerichtet (Servicemodus: ein entfernter Knoten mit der Rolle Worklist).</translation>
    </message>
    <message>
        <source>Patient ID:</source>
        <translation>Patienten-ID:</translation>
    </message>
    <message>
        <source>Patient name:</source>
        <translation>Patientenname:</translation>
    </message>
    <message>
        <source>Referring physician:</source>
        <translation>Überweisender Arzt:</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>Registrieren</translation>
    </message>
    <message>
        <source>Register manually…</source>
        <translation>Manuell registrieren…</translation>
    </message>
    <message>
        <source>Register the patient of the selected item and start the examination</source>
        <translation>Den Patienten des gewählten Eintrags registrieren und die Untersuchung beginnen</translation>
    </message>
    <message>
        <source>Requested procedure ID:</source>
        <translation>Angeforderte Prozedur-ID:</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Select an item to see all its attributes.</source>
        <translation>Einen Eintrag wählen, um alle seine Attribute zu sehen.</translation>
    </message>
    <message>
        <source>Start at once with a generated patient ID and name; complete the data later</source>
        <translation>Sofort mit erzeugter Patienten-ID und erzeugtem Namen beginnen; Daten später ergänzen</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stopped: nothing received; the list shown is unchanged.</source>
        <translation>Gestoppt: nichts empfangen; die angezeigte Liste ist unverändert.</translation>
    </message>
    <message>
        <source>Stopped: the list may be incomplete.</source>
        <translation>Gestoppt: Die Liste ist möglicherweise unvollständig.</translation>
    </message>
    <message>
        <source>Stopping the query…</source>
        <translation>Abfrage wird gestoppt…</translation>
    </message>
    <message>
        <source>The list shown is from the last successful query.</source>
        <translation>Die angezeigte Liste stammt aus der letzten erfolgreichen Abfrage.</translation>
    </message>
    <message>
        <source>The query cannot be sent: {reason}</source>
        <translation>Die Abfrage kann nicht gesendet werden: {reason}</translation>
    </message>
    <message>
        <source>The worklist node &apos;{name}&apos; is not among the remote nodes.</source>
        <translation>Der Worklist-Knoten &apos;{name}&apos; ist kein bekannter entfernter Knoten.</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Worklist query to {aet} failed: {reason}</source>
        <translation>Worklist-Abfrage an {aet} fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <source>e.g. MÜLLER* or *hans*</source>
        <translation>z. B. MÜLLER* oder *hans*</translation>
    </message>
</context>
<context>
    <name>Workstation</name>
    <message>
        <source>Store check: %1 temp files removed, %2 missing files dropped, %3 files indexed, %4 unreadable files moved to quarantine</source>
        <extracomment>the store check is done, the node listens (or failed to) and the job worker runs</extracomment>
        <translation>Speicherprüfung: %1 temporäre Dateien entfernt, %2 fehlende Dateien ausgetragen, %3 Dateien indiziert, %4 unlesbare Dateien in die Quarantäne verschoben</translation>
    </message>
    <message>
        <source>cannot listen on port %1: %2</source>
        <translation>kann auf Port %1 nicht empfangen: %2</translation>
    </message>
    <message>
        <source>Restart needed</source>
        <translation>Neustart erforderlich</translation>
    </message>
    <message>
        <source>The new data directory is used after the program is restarted.</source>
        <translation>Das neue Datenverzeichnis wird nach einem Neustart des Programms verwendet.</translation>
    </message>
    <message>
        <source>Workstation cannot start</source>
        <translation>Workstation kann nicht starten</translation>
    </message>
</context>
</TS>
