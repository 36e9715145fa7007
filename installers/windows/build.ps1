# Builds the Windows installer of SetaCare Desktop on a Windows machine with Python 3.11+ and
# Inno Setup 6 (ISCC.exe). From the repository's top folder:
#
#   powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1
#
# 1. a fresh virtual environment (build\win-venv) with the program, the PostgreSQL driver and
#    PyInstaller; 2. the one-folder bundle (dist\setacare: setacare.exe for the window,
#    setacare-cli.exe for the commands); 3. a smoke run of the bundle; 4. the installer
#    (dist\SetaCareDesktop-<version>-setup.exe).
[CmdletBinding()]
param(
    [string]$Python = "py",
    [string]$Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root
$Venv = Join-Path $Root "build\win-venv"
$VenvPython = Join-Path $Venv "Scripts\python.exe"

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed ($LASTEXITCODE)" }
}

# 1. A clean virtual environment: the bundle holds exactly what the program installs.
if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
if ($Python -eq "py") { Invoke-Checked "py" @("-3.11", "-m", "venv", $Venv) }
else { Invoke-Checked $Python @("-m", "venv", $Venv) }
Invoke-Checked $VenvPython @("-m", "pip", "install", "--upgrade", "pip")
Invoke-Checked $VenvPython @("-m", "pip", "install", ".[postgresql]", "pyinstaller>=6.10")
$Version = (& $VenvPython -c "import setacare_desktop; print(setacare_desktop.__version__)").Trim()
if ($LASTEXITCODE -ne 0 -or -not $Version) { throw "cannot read the version" }

# 2. The bundle (no SETACARE_BUNDLE_PROBE: the installer ships no bench probe).
Remove-Item Env:SETACARE_BUNDLE_PROBE -ErrorAction SilentlyContinue
Invoke-Checked $VenvPython @("-m", "PyInstaller", "--noconfirm", "--distpath", "dist",
    "--workpath", "build\pyinstaller", "installers\setacare.spec")
$Bundle = Join-Path $Root "dist\setacare"

# 3. The bundle runs without Python: its version, and a throw-away demo database.
$Cli = Join-Path $Bundle "setacare-cli.exe"
$Shown = (& $Cli --version).Trim()
if ($LASTEXITCODE -ne 0 -or $Shown -ne "SetaCare Desktop $Version") { throw "bundle --version: $Shown" }
$Smoke = Join-Path $env:TEMP "setacare-bundle-smoke"
if (Test-Path $Smoke) { Remove-Item -Recurse -Force $Smoke }
Invoke-Checked $Cli @("--data-dir", $Smoke, "demo", "--cases", "200")
Invoke-Checked $Cli @("--data-dir", $Smoke, "info")
Remove-Item -Recurse -Force $Smoke

# 4. The installer.
if (-not (Test-Path $Iscc)) { throw "Inno Setup 6 not found at $Iscc (pass -Iscc PATH)" }
Invoke-Checked $Iscc @("/DAppVersion=$Version", "/DBundleDir=$Bundle",
    (Join-Path $PSScriptRoot "setacare.iss"))
Write-Host "Installer: dist\SetaCareDesktop-$Version-setup.exe"
