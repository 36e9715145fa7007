; Inno Setup 6 script: installs the one-folder bundle of SetaCare Desktop for every user of a
; counter PC. Built by build.ps1 (which passes the version and the bundle folder):
;   ISCC.exe /DAppVersion=0.1.0 /DBundleDir=..\..\dist\setacare setacare.iss
; The data (the SQLite database, its backups, the log) lives in each user's
; %LOCALAPPDATA%\Setagaya\SetaCareDesktop, or on the ward's PostgreSQL server: this installer
; never writes there, and its uninstaller never deletes anything there (no [UninstallDelete]
; entry names it, and no [Code] section runs).

#ifndef AppVersion
  #error AppVersion is not defined: run build.ps1, or ISCC /DAppVersion=x.y.z
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\setacare"
#endif
#define AppName "SetaCare Desktop"
#define AppExe "setacare.exe"
; The day package (docs/package.md; ui/review/package_dialogs.py PACKAGE_SUFFIX).
#define PackageExt ".setacare-pkg"
#define PackageProgId "SetaCare.DayPackage"

[Setup]
; Never change AppId: Windows finds an installed copy (for upgrades and uninstall) by it.
AppId={{6F0C3A52-1D47-4C0B-9B7E-5A2E8C6D4F31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=世田谷区
VersionInfoVersion={#AppVersion}
; Per machine: Program Files, for every user; administrator rights are required.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
; An upgrade over a running copy would leave a mix of old and new libraries: ask to close it.
CloseApplications=yes
RestartApplications=no
ChangesAssociations=yes
OutputDir=..\..\dist
OutputBaseFilename=SetaCareDesktop-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Files]
; The whole bundle (setacare.exe, setacare-cli.exe, _internal\). The bench probe is never built
; for an installer (build.ps1 does not set SETACARE_BUNDLE_PROBE).
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade starts from a clean program folder: a library the new version no longer ships must
; not stay behind and be loaded. Only {app} (the program), never the data folder.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "福祉の相談窓口"

[Registry]
; The day package opens in the offline review window: setacare.exe package open "FILE".
; HKA is HKLM here (a per-machine install); each key is removed by the uninstaller.
Root: HKA; Subkey: "Software\Classes\{#PackageExt}\OpenWithProgids"; ValueType: string; ValueName: "{#PackageProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#PackageProgId}"; ValueType: string; ValueName: ""; ValueData: "SetaCare 日次パッケージ"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#PackageProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#PackageProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" package open ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{#AppName} を起動する"; Flags: nowait postinstall skipifsilent unchecked

[UninstallDelete]
; Python may have left compiled files beside the migrations inside the program folder. Nothing
; outside {app} is named here: the data folder stays, with its database and backups.
Type: filesandordirs; Name: "{app}\_internal\setacare_desktop\migrations\__pycache__"
Type: filesandordirs; Name: "{app}\_internal\setacare_desktop\migrations\versions\__pycache__"
