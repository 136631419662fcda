@echo off
rem Launcher of the asclepius program on Windows: finds lib\ next to this bin\ folder, runs
rem %JAVA_HOME%\bin\java (else java on the PATH) with %JAVA_OPTS%. --enable-native-access (accepted
rem by every JDK 17+) keeps JDK 22+ from warning when PyTorch's natives load.
setlocal
set "LIB=%~dp0..\lib"
set "JAVA=java"
if defined JAVA_HOME set "JAVA=%JAVA_HOME%\bin\java"
"%JAVA%" --enable-native-access=ALL-UNNAMED %JAVA_OPTS% -cp "%LIB%\*" dev.asclepius.cli.AsclepiusCli %*
exit /b %ERRORLEVEL%
